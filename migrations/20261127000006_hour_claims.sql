-- Claims by the hour. An order (or, later, a host block) claims every hour of its date it
-- covers, one row each; the primary key (space, date, hour) is the guarantee that no hour is
-- claimed twice, whatever mix of packages, hourly orders and blocks races for it. Packages are
-- fixed hour ranges: `day` = 9–18, `night` = 18–24, `all` = 9–24.
CREATE TABLE hour_claims (
    space_id BIGINT UNSIGNED NOT NULL,
    date DATE NOT NULL,
    hour TINYINT UNSIGNED NOT NULL,
    order_id BIGINT UNSIGNED NULL,
    block_id BIGINT UNSIGNED NULL,
    expires_at DATETIME(6) NULL,
    PRIMARY KEY (space_id, date, hour),
    KEY hour_claims_order (order_id),
    KEY hour_claims_block (block_id),
    KEY hour_claims_date (date, hour, space_id, expires_at),
    CONSTRAINT hour_claims_hour CHECK (hour < 24),
    CONSTRAINT hour_claims_one_owner CHECK ((order_id IS NULL) <> (block_id IS NULL)),
    CONSTRAINT hour_claims_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id),
    CONSTRAINT hour_claims_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every order states the hours it covers; a package's are its slot's.
ALTER TABLE orders
    ADD COLUMN start_hour TINYINT UNSIGNED NULL AFTER date,
    ADD COLUMN end_hour TINYINT UNSIGNED NULL AFTER start_hour;
UPDATE orders SET
    start_hour = CASE slot WHEN 'night' THEN 18 ELSE 9 END,
    end_hour = CASE slot WHEN 'day' THEN 18 ELSE 24 END;
ALTER TABLE orders
    MODIFY start_hour TINYINT UNSIGNED NOT NULL,
    MODIFY end_hour TINYINT UNSIGNED NOT NULL;

-- Each half-day claim becomes the claims of its hours, with the same order and expiry.
INSERT INTO hour_claims (space_id, date, hour, order_id, block_id, expires_at)
SELECT c.space_id, c.date, h.hour, c.order_id, NULL, c.expires_at
FROM slot_claims c
JOIN (
    SELECT 'day' AS half, 9 AS hour UNION ALL SELECT 'day', 10 UNION ALL SELECT 'day', 11
    UNION ALL SELECT 'day', 12 UNION ALL SELECT 'day', 13 UNION ALL SELECT 'day', 14
    UNION ALL SELECT 'day', 15 UNION ALL SELECT 'day', 16 UNION ALL SELECT 'day', 17
    UNION ALL SELECT 'night', 18 UNION ALL SELECT 'night', 19 UNION ALL SELECT 'night', 20
    UNION ALL SELECT 'night', 21 UNION ALL SELECT 'night', 22 UNION ALL SELECT 'night', 23
) h ON h.half = c.slot;

DROP TABLE slot_claims;
