-- recordedAt is taken under the append lock and never goes back, even if the clock does: so
-- ordering by recorded_at is ordering by position, and needs no index of its own.
ALTER TABLE event_position ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT '-infinity';
