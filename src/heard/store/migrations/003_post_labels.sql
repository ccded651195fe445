-- One label per post and model: the post's own units combined (quoted units
-- describe someone else's words). Threads and reports read this table.
CREATE TABLE post_labels (
    post_id   VARCHAR NOT NULL,
    model     VARCHAR NOT NULL,
    act       VARCHAR NOT NULL,
    stance    VARCHAR NOT NULL,
    abusive   BOOLEAN NOT NULL,
    voice     VARCHAR NOT NULL,
    frame     VARCHAR,
    discloser VARCHAR,
    centres   VARCHAR[] NOT NULL,
    score     DOUBLE NOT NULL,       -- probability of the chosen act
    PRIMARY KEY (post_id, model)
);
