-- What several bot processes share besides the records.

-- When each worker next needs the scheduled tick's attention.
CREATE TABLE due (
    pid text PRIMARY KEY,
    at timestamptz NOT NULL
);
CREATE INDEX due_by_time ON due (at);

-- Activities already handled (a hash of conversation and activity id): Teams retries may reach any process.
CREATE TABLE seen_activities (
    key bytea PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX seen_activities_by_time ON seen_activities (seen_at);

-- The next free moment (seconds since the epoch, on the database's clock) to send to a tenant or a
-- conversation (a hash of its id), and the pause every sender keeps while Teams answers 429.
CREATE TABLE send_pace (
    key bytea PRIMARY KEY,
    next_at double precision NOT NULL
);
