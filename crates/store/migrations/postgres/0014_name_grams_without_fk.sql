-- The similar-name index (customer_name_grams) is derived from customers.name_key and kept by
-- the store in the same transaction as every change (insert, rename, merge). Its foreign key
-- made PostgreSQL check the customer row once per gram inserted: an import of 100,000
-- customers inserts 1.3 M grams, and the checks took most of its time. `salesdesk check`
-- reports grams of customers that do not exist.
ALTER TABLE customer_name_grams DROP CONSTRAINT customer_name_grams_customer_id_fkey;
