-- Enroll (POST /v1/enroll) looks for the oldest events of one type in a tenant, in position order,
-- and for the running events of one type under the append lock (sequential claims): both walk
-- this index rather than every event of the tenant (docs/decisions/028).
CREATE INDEX events_tenant_type_position_idx ON events (tenant, type, position);
