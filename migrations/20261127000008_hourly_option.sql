-- The `hourly` option: a space may also be booked by the hour, at `price` per hour (its
-- space_options row), for at least `min_hours`, inside its opening hours [open_hour,
-- close_hour). Existing spaces are open all day and keep only their packages.
ALTER TABLE space_options MODIFY slot ENUM('day', 'night', 'all', 'hourly') NOT NULL;
ALTER TABLE orders MODIFY slot ENUM('day', 'night', 'all', 'hourly') NOT NULL;
ALTER TABLE spaces
    ADD COLUMN open_hour TINYINT UNSIGNED NOT NULL DEFAULT 0,
    ADD COLUMN close_hour TINYINT UNSIGNED NOT NULL DEFAULT 24,
    ADD COLUMN min_hours TINYINT UNSIGNED NOT NULL DEFAULT 1,
    ADD COLUMN offers_hourly BOOLEAN NOT NULL DEFAULT FALSE,
    ADD CONSTRAINT spaces_opening_hours CHECK (open_hour < close_hour AND close_hour <= 24),
    ADD CONSTRAINT spaces_min_hours CHECK (min_hours BETWEEN 1 AND 24);
