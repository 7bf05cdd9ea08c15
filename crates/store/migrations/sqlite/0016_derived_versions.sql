-- Values the application derives from a record (a customer's name key and its similar-name
-- grams) carry the version of the rule that made them. A binary with a newer rule re-derives
-- the older ones when it opens the database (salesdesk_app::upgrade), in batches.
CREATE TABLE derived_versions (
    name     TEXT PRIMARY KEY,
    version  BIGINT NOT NULL
);
-- Name keys written before: the core without the leading place (上海博雅 = 广州博雅).
INSERT INTO derived_versions (name, version) VALUES ('customer_name_key', 1);
