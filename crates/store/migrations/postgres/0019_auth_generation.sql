-- Who may do and see what (sessions, accounts, roles, grants, the org tree) changes rarely and
-- is read on every request. Every change of it bumps one counter, by triggers, so no code
-- path can forget to; a server keeps signed-in actors in memory while the counter it last
-- read stands, and reads it again after its own changes and every few tenths of a second.
CREATE TABLE auth_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO auth_generation (id, value) VALUES (1, 0);
CREATE FUNCTION bump_auth_generation() RETURNS trigger AS $$
BEGIN
    UPDATE auth_generation SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tr_auth_users AFTER UPDATE OR DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_user_roles AFTER INSERT OR UPDATE OR DELETE ON user_roles FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_roles AFTER INSERT OR UPDATE OR DELETE ON roles FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_role_permissions AFTER INSERT OR UPDATE OR DELETE ON role_permissions FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_role_scopes AFTER INSERT OR UPDATE OR DELETE ON role_scopes FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_org_units AFTER INSERT OR UPDATE OR DELETE ON org_units FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_sessions_end AFTER UPDATE OF ended_at OR DELETE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_api_tokens_end AFTER UPDATE OF revoked_at OR DELETE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
