-- The settings every customer list reads (custom field definitions, the customer options, the
-- 遗忘提醒 rules) change rarely: they bump the auth generation (0019) like the grants do, so a
-- server keeps them in memory while the generation it last read stands (app's
-- `reference_cache`) rather than reading them on every list.
CREATE TRIGGER tr_auth_custom_fields AFTER INSERT OR UPDATE OR DELETE ON custom_fields FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_customer_options AFTER INSERT OR UPDATE OR DELETE ON customer_options FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
CREATE TRIGGER tr_auth_customer_forgotten_rules AFTER INSERT OR UPDATE OR DELETE ON customer_forgotten_rules FOR EACH STATEMENT EXECUTE FUNCTION bump_auth_generation();
