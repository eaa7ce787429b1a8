-- A host's block: hours of one date the space cannot be booked. It claims its hours in
-- hour_claims like a blocking order, so a block and a booking racing for an hour cannot both
-- win.
CREATE TABLE space_blocks (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    space_id BIGINT UNSIGNED NOT NULL,
    date DATE NOT NULL,
    start_hour TINYINT UNSIGNED NOT NULL,
    end_hour TINYINT UNSIGNED NOT NULL,
    reason VARCHAR(200) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY space_blocks_space_date (space_id, date, start_hour),
    CONSTRAINT space_blocks_hours CHECK (start_hour < end_hour AND end_hour <= 24),
    CONSTRAINT space_blocks_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE hour_claims
    ADD CONSTRAINT hour_claims_block_fk FOREIGN KEY (block_id) REFERENCES space_blocks (id);
