-- The settings every customer list reads (custom field definitions, the customer options, the
-- 遗忘提醒 rules) change rarely: they bump the auth generation (0019) like the grants do, so a
-- server keeps them in memory while the generation it last read stands (app's
-- `reference_cache`) rather than reading them on every list.
CREATE TRIGGER tr_auth_custom_fields_insert AFTER INSERT ON custom_fields BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_custom_fields_update AFTER UPDATE ON custom_fields BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_custom_fields_delete AFTER DELETE ON custom_fields BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_customer_options_insert AFTER INSERT ON customer_options BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_customer_options_update AFTER UPDATE ON customer_options BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_customer_options_delete AFTER DELETE ON customer_options BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_customer_forgotten_rules_insert AFTER INSERT ON customer_forgotten_rules BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_customer_forgotten_rules_update AFTER UPDATE ON customer_forgotten_rules BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER tr_auth_customer_forgotten_rules_delete AFTER DELETE ON customer_forgotten_rules BEGIN UPDATE auth_generation SET value = value + 1 WHERE id = 1; END;
