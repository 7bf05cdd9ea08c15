-- PostgreSQL's half of this migration stores the instant a customer was last attended to
-- (COALESCE(last_followup_at, owned_since, created_at)) for index-only counts. SQLite
-- answers from the expression index of 0020 alone already: nothing to change here.
SELECT 1;
