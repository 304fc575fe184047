-- The index the query app's sorts need beyond 001 (which serves the default sort by occurredAt).

-- GET /v1/events?sort=position, and sort=recordedAt (recorded_at follows position, see 004): page 1,
-- cursor and offset pages in position order within a tenant.
CREATE INDEX events_tenant_position_idx ON events (tenant, position);
