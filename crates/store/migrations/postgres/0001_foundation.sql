-- Foundation: sequences, the sales organisation, roles, users, sessions, tokens, audit.
-- Times are UTC instants in epoch milliseconds (BIGINT) so both databases compare them alike.
-- Paths compare bytewise (COLLATE "C") for prefix-range scans.

CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE org_units (
    id         UUID PRIMARY KEY,
    seq        BIGINT NOT NULL,
    parent_id  UUID REFERENCES org_units(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    basis      TEXT NOT NULL,
    path       TEXT COLLATE "C" NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_org_units_seq ON org_units(seq);
CREATE UNIQUE INDEX uq_org_units_path ON org_units(path);
CREATE UNIQUE INDEX uq_org_units_sibling_name ON org_units(parent_id, name);
CREATE INDEX ix_org_units_parent ON org_units(parent_id);

-- Every move of a unit, so performance can be attributed by the org as it was at the time.
CREATE TABLE org_unit_moves (
    id            UUID PRIMARY KEY,
    unit_id       UUID NOT NULL REFERENCES org_units(id),
    old_parent_id UUID REFERENCES org_units(id),
    new_parent_id UUID NOT NULL REFERENCES org_units(id),
    old_path      TEXT NOT NULL,
    new_path      TEXT NOT NULL,
    moved_at      BIGINT NOT NULL,
    moved_by      UUID
);
CREATE INDEX ix_org_unit_moves_unit ON org_unit_moves(unit_id, moved_at);

CREATE TABLE roles (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    builtin     BOOLEAN NOT NULL DEFAULT FALSE,
    locked      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_roles_code ON roles(code);
CREATE UNIQUE INDEX uq_roles_name ON roles(name);

CREATE TABLE role_permissions (
    role_id    UUID NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE role_scopes (
    role_id UUID NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    module  TEXT NOT NULL,
    scope   TEXT NOT NULL,
    PRIMARY KEY (role_id, module)
);

CREATE TABLE positions (
    id              UUID PRIMARY KEY,
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    default_role_id UUID REFERENCES roles(id),
    sort_order      BIGINT NOT NULL DEFAULT 0,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_positions_code ON positions(code);
CREATE UNIQUE INDEX uq_positions_name ON positions(name);

CREATE TABLE users (
    id                   UUID PRIMARY KEY,
    seq                  BIGINT NOT NULL,
    username             TEXT NOT NULL,
    mobile               TEXT,
    email                TEXT,
    display_name         TEXT NOT NULL,
    unit_id              UUID NOT NULL REFERENCES org_units(id),
    position_id          UUID REFERENCES positions(id),
    manager_id           UUID REFERENCES users(id),
    -- the reporting line as a path of user seqs: "me and my subordinates" is one range
    report_path          TEXT COLLATE "C" NOT NULL,
    password_hash        TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    locale               TEXT NOT NULL DEFAULT 'zh-CN',
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    deactivated_at       BIGINT,
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_users_seq ON users(seq);
CREATE UNIQUE INDEX uq_users_username ON users(username);
CREATE UNIQUE INDEX uq_users_mobile ON users(mobile);
CREATE INDEX ix_users_unit ON users(unit_id);
CREATE INDEX ix_users_report_path ON users(report_path);
CREATE INDEX ix_users_manager ON users(manager_id);

CREATE TABLE user_roles (
    user_id UUID NOT NULL REFERENCES users(id),
    role_id UUID NOT NULL REFERENCES roles(id),
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX ix_user_roles_role ON user_roles(role_id);

-- Who was where, when: one row per period of (unit, position, manager).
CREATE TABLE user_assignments (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id),
    unit_id     UUID NOT NULL REFERENCES org_units(id),
    position_id UUID REFERENCES positions(id),
    manager_id  UUID REFERENCES users(id),
    valid_from  BIGINT NOT NULL,
    valid_to    BIGINT
);
CREATE INDEX ix_user_assignments_user ON user_assignments(user_id, valid_from);

CREATE TABLE sessions (
    id                  UUID PRIMARY KEY,
    token_hash          TEXT NOT NULL,
    user_id             UUID NOT NULL REFERENCES users(id),
    created_at          BIGINT NOT NULL,
    last_seen_at        BIGINT NOT NULL,
    absolute_expires_at BIGINT NOT NULL,
    ip                  TEXT NOT NULL DEFAULT '',
    user_agent          TEXT NOT NULL DEFAULT '',
    ended_at            BIGINT,
    end_reason          TEXT
);
CREATE UNIQUE INDEX uq_sessions_token_hash ON sessions(token_hash);
CREATE INDEX ix_sessions_user ON sessions(user_id, ended_at);

-- Failed sign-ins per key ("ip:1.2.3.4", "account:zhangsan"), counted over a sliding window.
CREATE TABLE login_failures (
    id  UUID PRIMARY KEY,
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX ix_login_failures_key ON login_failures(key, at);

CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    token_prefix TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE UNIQUE INDEX uq_api_tokens_token_hash ON api_tokens(token_hash);
CREATE INDEX ix_api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit_log (
    id          UUID PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    UUID,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    request_id  TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_audit_log_at ON audit_log(at);
CREATE INDEX ix_audit_log_entity ON audit_log(entity_type, entity_id, at);
CREATE INDEX ix_audit_log_actor ON audit_log(actor_id, at);

-- Audit rows are append-only, whatever code or person holds a connection.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
