-- Reclaim rules per customer level (按客户级别的回收规则): a pool's days without a follow-up
-- or without a deal may differ for A, B, C... customers. A JSON array of
-- {"levelCode", "noFollowupDays", "noDealDays"}; levels without a rule follow the pool's own.
ALTER TABLE customer_pools ADD COLUMN level_rules TEXT NOT NULL DEFAULT '[]';
