-- Posts as ingested: one row per post id; authors are keyed-hash pseudonyms.
CREATE TABLE posts (
    id          VARCHAR PRIMARY KEY,
    text        VARCHAR NOT NULL,
    author      VARCHAR,
    created_at  TIMESTAMP,          -- UTC
    parent_id   VARCHAR,
    thread_root VARCHAR,
    platform    VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,   -- file the post came from
    meta        JSON,               -- the platform's other fields, as read
    ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    run_id      BIGINT              -- the ingest run that added it
);

-- Units: the spans of a post that each get one label.
CREATE TABLE units (
    post_id    VARCHAR NOT NULL,
    seq        INTEGER NOT NULL,
    text       VARCHAR NOT NULL,
    voice      VARCHAR NOT NULL,    -- own | quoted
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    hash       VARCHAR NOT NULL,    -- sha256 of the unit text (labels are keyed by it)
    PRIMARY KEY (post_id, seq)
);

-- Labels keyed by unit content hash and model version: nothing is computed twice.
CREATE TABLE labels (
    hash       VARCHAR NOT NULL,
    model      VARCHAR NOT NULL,
    act        VARCHAR NOT NULL,
    stance     VARCHAR NOT NULL,
    abusive    BOOLEAN NOT NULL,
    voice      VARCHAR NOT NULL,
    frame      VARCHAR,
    discloser  VARCHAR,
    centres    VARCHAR[] NOT NULL,
    scores     JSON NOT NULL,
    labelled_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (hash, model)
);

-- One row per command that changed the store.
CREATE SEQUENCE runs_id START 1;
CREATE TABLE runs (
    id          BIGINT PRIMARY KEY DEFAULT nextval('runs_id'),
    command     VARCHAR NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      VARCHAR NOT NULL,   -- running | ok | failed
    details     JSON
);
