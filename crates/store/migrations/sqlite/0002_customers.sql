-- Customers (客户档案): pick lists, customers, contacts, collaborators, tags, the owner
-- history, follow-ups, pools (公海) and ownership limits. A customer in a pool has no owner.

CREATE TABLE customer_options (
    kind       TEXT NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT 1,
    PRIMARY KEY (kind, code)
);

CREATE TABLE customer_pools (
    id                 BLOB PRIMARY KEY,
    name               TEXT NOT NULL,
    -- members: the people of this unit and every unit below it who may use pools
    unit_id            BLOB NOT NULL REFERENCES org_units(id),
    -- reclaim rules (the reclaim job reads them); NULL means the rule is off
    no_followup_days   BIGINT,
    no_deal_days       BIGINT,
    remind_days        BIGINT,
    -- the previous owner may not claim a customer back for this many days
    cooldown_days      BIGINT NOT NULL DEFAULT 0,
    -- claims per rep per day, all pools together; NULL: no limit
    daily_claim_limit  BIGINT,
    hide_contacts      BOOLEAN NOT NULL DEFAULT 1,
    active             BOOLEAN NOT NULL DEFAULT 1,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_customer_pools_name ON customer_pools(name);

CREATE TABLE customers (
    id               BLOB PRIMARY KEY,
    seq              BIGINT NOT NULL,
    name             TEXT NOT NULL,
    -- 查重 key: the normalised name (see salesdesk_domain::dedupe)
    name_key         TEXT NOT NULL,
    short_name       TEXT,
    credit_code      TEXT,
    type_code        TEXT,
    level_code       TEXT,
    status_code      TEXT,
    industry_code    TEXT,
    source_code      TEXT,
    province         TEXT,
    city             TEXT,
    district         TEXT,
    address          TEXT,
    lat              DOUBLE PRECISION,
    lon              DOUBLE PRECISION,
    owner_id         BLOB REFERENCES users(id),
    unit_id          BLOB NOT NULL REFERENCES org_units(id),
    pool_id          BLOB REFERENCES customer_pools(id),
    locked           BOOLEAN NOT NULL DEFAULT 0,
    notes            TEXT,
    last_followup_at BIGINT,
    next_followup_at BIGINT,
    owned_since      BIGINT,
    created_by       BLOB REFERENCES users(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    CHECK ((owner_id IS NULL) <> (pool_id IS NULL))
);
CREATE UNIQUE INDEX uq_customers_seq ON customers(seq);
CREATE UNIQUE INDEX uq_customers_credit_code ON customers(credit_code);
CREATE INDEX ix_customers_name_key ON customers(name_key);
-- a rep's list sorted by last follow-up is one index range
CREATE INDEX ix_customers_owner_followup ON customers(owner_id, last_followup_at);
CREATE INDEX ix_customers_unit_followup ON customers(unit_id, last_followup_at);
CREATE INDEX ix_customers_pool ON customers(pool_id, updated_at);

-- The similar-name index: one row per distinct bigram of a customer's name_key.
CREATE TABLE customer_name_grams (
    gram        TEXT NOT NULL,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    PRIMARY KEY (gram, customer_id)
) WITHOUT ROWID;
CREATE INDEX ix_customer_name_grams_customer ON customer_name_grams(customer_id);

CREATE TABLE customer_tags (
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
);
CREATE INDEX ix_customer_tags_tag ON customer_tags(tag);

-- 团队成员: people who are not the owner but may see (or also edit) the customer.
CREATE TABLE customer_collaborators (
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    user_id     BLOB NOT NULL REFERENCES users(id),
    can_edit    BOOLEAN NOT NULL DEFAULT 0,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (customer_id, user_id)
);
CREATE INDEX ix_customer_collaborators_user ON customer_collaborators(user_id);

CREATE TABLE customer_contacts (
    id          BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    title       TEXT,
    role        TEXT,
    mobile      TEXT,
    phone       TEXT,
    email       TEXT,
    wechat      TEXT,
    birthday    TEXT,
    is_primary  BOOLEAN NOT NULL DEFAULT 0,
    -- a contact who left keeps their history; they are no longer offered for new follow-ups
    left_at     BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX ix_customer_contacts_customer ON customer_contacts(customer_id);
CREATE INDEX ix_customer_contacts_mobile ON customer_contacts(mobile);

CREATE TABLE customer_owner_history (
    id          BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    change      TEXT NOT NULL,
    from_owner  BLOB REFERENCES users(id),
    to_owner    BLOB REFERENCES users(id),
    from_pool   BLOB REFERENCES customer_pools(id),
    to_pool     BLOB REFERENCES customer_pools(id),
    reason      TEXT,
    by_user     BLOB REFERENCES users(id),
    at          BIGINT NOT NULL
);
CREATE INDEX ix_customer_owner_history_customer ON customer_owner_history(customer_id, at);
-- daily claim limits and the cool-down count a rep's own recent changes
CREATE INDEX ix_customer_owner_history_by ON customer_owner_history(by_user, change, at);

CREATE TABLE customer_followups (
    id          BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    author_id   BLOB NOT NULL REFERENCES users(id),
    method      TEXT NOT NULL,
    content     TEXT NOT NULL,
    contact_ids TEXT NOT NULL DEFAULT '[]',
    happened_at BIGINT NOT NULL,
    next_at     BIGINT,
    next_step   TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX ix_customer_followups_customer ON customer_followups(customer_id, happened_at);

-- 客户保护: how many customers one rep may own and lock, per level ('*': all levels together).
CREATE TABLE customer_limits (
    level_code TEXT PRIMARY KEY,
    max_owned  BIGINT,
    max_locked BIGINT,
    updated_at BIGINT NOT NULL
);

-- Built-in roles of an existing company get the customer permissions of this version.
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.permission FROM roles r JOIN (
    SELECT 'admin' AS code, 'customers.view' AS permission UNION ALL SELECT 'admin', 'customers.create'
    UNION ALL SELECT 'admin', 'customers.edit' UNION ALL SELECT 'admin', 'customers.transfer'
    UNION ALL SELECT 'admin', 'customers.settings' UNION ALL SELECT 'admin', 'pools.use'
    UNION ALL SELECT 'admin', 'pools.manage'
    UNION ALL SELECT 'director', 'customers.view' UNION ALL SELECT 'director', 'customers.create'
    UNION ALL SELECT 'director', 'customers.edit' UNION ALL SELECT 'director', 'customers.transfer'
    UNION ALL SELECT 'director', 'customers.settings' UNION ALL SELECT 'director', 'pools.use'
    UNION ALL SELECT 'director', 'pools.manage'
    UNION ALL SELECT 'manager', 'customers.view' UNION ALL SELECT 'manager', 'customers.create'
    UNION ALL SELECT 'manager', 'customers.edit' UNION ALL SELECT 'manager', 'customers.transfer'
    UNION ALL SELECT 'manager', 'pools.use' UNION ALL SELECT 'manager', 'pools.manage'
    UNION ALL SELECT 'supervisor', 'customers.view' UNION ALL SELECT 'supervisor', 'customers.create'
    UNION ALL SELECT 'supervisor', 'customers.edit' UNION ALL SELECT 'supervisor', 'customers.transfer'
    UNION ALL SELECT 'supervisor', 'pools.use'
    UNION ALL SELECT 'rep', 'customers.view' UNION ALL SELECT 'rep', 'customers.create'
    UNION ALL SELECT 'rep', 'customers.edit' UNION ALL SELECT 'rep', 'pools.use'
    UNION ALL SELECT 'support', 'customers.view' UNION ALL SELECT 'support', 'customers.create'
    UNION ALL SELECT 'support', 'customers.edit'
    UNION ALL SELECT 'service', 'customers.view'
    UNION ALL SELECT 'marketing', 'customers.view' UNION ALL SELECT 'marketing', 'customers.create'
    UNION ALL SELECT 'ops', 'customers.view' UNION ALL SELECT 'ops', 'customers.settings'
    UNION ALL SELECT 'finance', 'customers.view'
) p ON p.code = r.code;

INSERT INTO role_scopes (role_id, module, scope)
SELECT r.id, 'customers', s.scope FROM roles r JOIN (
    SELECT 'admin' AS code, 'all' AS scope UNION ALL SELECT 'director', 'all'
    UNION ALL SELECT 'manager', 'department_and_below' UNION ALL SELECT 'supervisor', 'own_and_subordinates'
    UNION ALL SELECT 'rep', 'own' UNION ALL SELECT 'support', 'department_and_below'
    UNION ALL SELECT 'service', 'all' UNION ALL SELECT 'marketing', 'own'
    UNION ALL SELECT 'ops', 'all' UNION ALL SELECT 'finance', 'all'
) s ON s.code = r.code;
