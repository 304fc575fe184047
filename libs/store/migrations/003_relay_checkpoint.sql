-- Where the outbound relay has published up to: every event with position <= this is on the
-- outbound topic. One row per relay name; only the lease holder (an advisory lock) writes it.
CREATE TABLE relay_checkpoint (
  name     text   PRIMARY KEY,
  position bigint NOT NULL
);
