-- The customer list and its search at a million customers. Both cover
-- only live customers (not the ones merged away), so a page, its count
-- and a name search read an index instead of every row:
-- the list's order (latest buyers first, then everyone without an order,
-- newest first);
CREATE INDEX customers_live_recent ON customers (workspace_id, last_order_at DESC NULLS LAST, id DESC) WHERE merged_into IS NULL;
-- a search for part of a name scans this index, not the table.
CREATE INDEX customers_live_name ON customers (workspace_id, name) WHERE merged_into IS NULL;
