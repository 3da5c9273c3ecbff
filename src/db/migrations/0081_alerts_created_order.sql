-- /alert/list orders by created_at (its default) or updated_at. Without an index in that order a page
-- sorted every alert of the window: 0.2 s for 40,000 alerts, growing with the account. created_at
-- never changes after insert, so the index costs one entry per new alert and keeps repeats HOT;
-- updated_at changes on every repeat and stays unindexed (docs/benchmarks.md, "Lists").
create index alerts_account_created_idx on alerts (account_id, created_at desc, alert_id desc);
