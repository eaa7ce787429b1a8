-- The secret of each space's private calendar feed: whoever has the URL reads the bookings'
-- names and headcounts, so the host can rotate it (the old URL then answers 404). Kept as is,
-- not hashed: the host can ask for the URL again at any time.
CREATE TABLE space_calendars (
    space_id BIGINT UNSIGNED NOT NULL,
    token CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (space_id),
    CONSTRAINT space_calendars_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
