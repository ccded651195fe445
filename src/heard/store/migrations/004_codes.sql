-- Hand codes of posts, one row per (post, coder): the coding loop's ground truth.
-- A field a coder left open is NULL. Re-coding a post replaces that coder's row.
CREATE TABLE codes (
    post_id   VARCHAR NOT NULL,
    coder     VARCHAR NOT NULL,
    act       VARCHAR,
    stance    VARCHAR,
    abusive   BOOLEAN,
    voice     VARCHAR,
    frame     VARCHAR,
    discloser VARCHAR,
    centres   VARCHAR[],
    coded_at  TIMESTAMP NOT NULL,
    source    VARCHAR NOT NULL,      -- page | import:<file name>
    PRIMARY KEY (post_id, coder)
);

-- Posts drawn by `heard sample`, with the probability each had of being drawn.
-- Estimates weight a coded post by 1 / inclusion.
CREATE TABLE sample_draws (
    post_id   VARCHAR PRIMARY KEY,
    inclusion DOUBLE NOT NULL,      -- probability of being drawn, in (0, 1]
    stratum   VARCHAR NOT NULL,     -- 'all' for a uniform draw, else the predicted act
    seed      BIGINT NOT NULL,
    model     VARCHAR,              -- labels used to stratify
    drawn_at  TIMESTAMP NOT NULL
);
