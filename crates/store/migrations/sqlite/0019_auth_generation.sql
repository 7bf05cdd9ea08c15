-- Who may do and see what (sessions, accounts, roles, grants, the org tree) changes rarely and
-- is read on every request. Every change of it bumps one counter, by triggers, so no code
-- path can forget to; a server keeps signed-in actors in memory while the counter it last
-- read stands, and reads it again after its own changes and every few tenths of a second.
CREATE TABLE auth_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO auth_generation (id, value) VALUES (1, 0);
CREATE TRIGGER tr_auth_users_update AFTER UPDATE ON users BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_users_delete AFTER DELETE ON users BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_user_roles_insert AFTER INSERT ON user_roles BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_user_roles_update AFTER UPDATE ON user_roles BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_user_roles_delete AFTER DELETE ON user_roles BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_roles_insert AFTER INSERT ON roles BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_roles_update AFTER UPDATE ON roles BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_roles_delete AFTER DELETE ON roles BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_role_permissions_insert AFTER INSERT ON role_permissions BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_role_permissions_update AFTER UPDATE ON role_permissions BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_role_permissions_delete AFTER DELETE ON role_permissions BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_role_scopes_insert AFTER INSERT ON role_scopes BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_role_scopes_update AFTER UPDATE ON role_scopes BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_role_scopes_delete AFTER DELETE ON role_scopes BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_org_units_insert AFTER INSERT ON org_units BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_org_units_update AFTER UPDATE ON org_units BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_org_units_delete AFTER DELETE ON org_units BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_sessions_end AFTER UPDATE OF ended_at ON sessions BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_sessions_delete AFTER DELETE ON sessions BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_api_tokens_end AFTER UPDATE OF revoked_at ON api_tokens BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_api_tokens_delete AFTER DELETE ON api_tokens BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
