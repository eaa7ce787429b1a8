-- The whole product's schema. Later migrations only add to it.
-- Written for both MariaDB 10.11 and MySQL 8.4: utf8mb4_unicode_ci is the collation both ship
-- (MySQL's 0900 collations do not exist on MariaDB), and every DATETIME holds UTC written by the
-- application, never NOW(), so the session time zone of either server cannot shift a value.

CREATE TABLE users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    -- Kakao ids are the only identity we trust; nicknames change.
    kakao_id BIGINT NOT NULL,
    nickname VARCHAR(30) NOT NULL,
    email VARCHAR(255) NULL,
    profile_image_url VARCHAR(1024) NULL,
    points BIGINT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    deleted_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY users_kakao_id_unique (kakao_id),
    CONSTRAINT users_points_not_negative CHECK (points >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Refresh tokens are opaque; only a SHA-256 of each is kept. A family is one login's chain of
-- rotations, so a token presented twice can revoke everything descended from the same login.
CREATE TABLE refresh_tokens (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id BIGINT UNSIGNED NOT NULL,
    family_id BINARY(16) NOT NULL,
    token_hash BINARY(32) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY refresh_tokens_hash_unique (token_hash),
    KEY refresh_tokens_family (family_id),
    KEY refresh_tokens_user (user_id),
    CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE districts (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name VARCHAR(50) NOT NULL,
    latitude DECIMAL(9, 6) NOT NULL,
    longitude DECIMAL(9, 6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY districts_name_unique (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE categories (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name VARCHAR(50) NOT NULL,
    image_url VARCHAR(1024) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY categories_name_unique (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE facilities (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name VARCHAR(50) NOT NULL,
    image_url VARCHAR(1024) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY facilities_name_unique (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- min_price, like_count, review_count and rating_sum are kept in step with their sources inside
-- the same transactions that change those sources, so the list can filter and sort on them with
-- no join or per-row query.
CREATE TABLE spaces (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    host_id BIGINT UNSIGNED NOT NULL,
    category_id BIGINT UNSIGNED NOT NULL,
    district_id BIGINT UNSIGNED NOT NULL,
    title VARCHAR(100) NOT NULL,
    sub_title VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    address VARCHAR(255) NOT NULL,
    latitude DECIMAL(9, 6) NULL,
    longitude DECIMAL(9, 6) NULL,
    min_count INT UNSIGNED NOT NULL,
    max_count INT UNSIGNED NOT NULL,
    min_price BIGINT NOT NULL,
    like_count INT UNSIGNED NOT NULL DEFAULT 0,
    review_count INT UNSIGNED NOT NULL DEFAULT 0,
    rating_sum INT UNSIGNED NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    deleted_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    KEY spaces_host (host_id),
    KEY spaces_category (category_id, deleted_at),
    KEY spaces_district (district_id, deleted_at),
    KEY spaces_popular (deleted_at, like_count, id),
    KEY spaces_price (deleted_at, min_price, id),
    CONSTRAINT spaces_host_fk FOREIGN KEY (host_id) REFERENCES users (id),
    CONSTRAINT spaces_category_fk FOREIGN KEY (category_id) REFERENCES categories (id),
    CONSTRAINT spaces_district_fk FOREIGN KEY (district_id) REFERENCES districts (id),
    CONSTRAINT spaces_counts_ordered CHECK (min_count >= 1 AND min_count <= max_count),
    CONSTRAINT spaces_min_price_not_negative CHECK (min_price >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE space_facilities (
    space_id BIGINT UNSIGNED NOT NULL,
    facility_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (space_id, facility_id),
    KEY space_facilities_facility (facility_id),
    CONSTRAINT space_facilities_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id),
    CONSTRAINT space_facilities_facility_fk FOREIGN KEY (facility_id) REFERENCES facilities (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A space offers a slot by having a price for it; at most one price per slot.
CREATE TABLE space_options (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    space_id BIGINT UNSIGNED NOT NULL,
    slot ENUM('day', 'night', 'all') NOT NULL,
    price BIGINT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY space_options_space_slot_unique (space_id, slot),
    CONSTRAINT space_options_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id),
    CONSTRAINT space_options_price_not_negative CHECK (price >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Keys carry a uuid so two uploads never collide; the worker fills them in once stored.
CREATE TABLE space_images (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    space_id BIGINT UNSIGNED NOT NULL,
    position INT UNSIGNED NOT NULL,
    status ENUM('processing', 'ready', 'failed') NOT NULL,
    original_key VARCHAR(255) NULL,
    web_key VARCHAR(255) NULL,
    thumbnail_key VARCHAR(255) NULL,
    width INT UNSIGNED NULL,
    height INT UNSIGNED NULL,
    failure_reason VARCHAR(255) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    deleted_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    KEY space_images_space (space_id, status, position, id),
    CONSTRAINT space_images_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- slot and price are copied from the option at booking time so a later price change never
-- rewrites what the guest agreed to pay.
CREATE TABLE orders (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id BIGINT UNSIGNED NOT NULL,
    space_id BIGINT UNSIGNED NOT NULL,
    option_id BIGINT UNSIGNED NOT NULL,
    slot ENUM('day', 'night', 'all') NOT NULL,
    price BIGINT NOT NULL,
    date DATE NOT NULL,
    headcount INT UNSIGNED NOT NULL,
    amount BIGINT NOT NULL,
    status ENUM('waiting', 'payment_pending', 'completed', 'failed', 'expired', 'canceled') NOT NULL,
    hold_expires_at DATETIME(6) NOT NULL,
    failure_reason VARCHAR(64) NULL,
    refunded_points BIGINT NULL,
    booker_name VARCHAR(50) NOT NULL,
    booker_phone VARCHAR(20) NOT NULL,
    booker_email VARCHAR(255) NOT NULL,
    booker_purpose VARCHAR(200) NULL,
    booker_request VARCHAR(1000) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY orders_user_date (user_id, date, id),
    KEY orders_space_date (space_id, date, id),
    KEY orders_status_hold (status, hold_expires_at),
    CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT orders_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id),
    CONSTRAINT orders_option_fk FOREIGN KEY (option_id) REFERENCES space_options (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Append-only record of every status change of an order, with why it happened.
CREATE TABLE order_events (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    order_id BIGINT UNSIGNED NOT NULL,
    from_status ENUM('waiting', 'payment_pending', 'completed', 'failed', 'expired', 'canceled') NULL,
    to_status ENUM('waiting', 'payment_pending', 'completed', 'failed', 'expired', 'canceled') NOT NULL,
    cause VARCHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY order_events_order (order_id, id),
    CONSTRAINT order_events_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The row that makes double booking impossible: one per blocked half-day (`all` orders hold two).
-- The primary key is the guarantee; a second claim on the same half-day fails as a duplicate key.
-- expires_at is the hold's end for a waiting order and NULL once payment has started, so an
-- expired hold stops blocking at once: a new booking deletes stale claims before it inserts.
CREATE TABLE slot_claims (
    space_id BIGINT UNSIGNED NOT NULL,
    date DATE NOT NULL,
    slot ENUM('day', 'night') NOT NULL,
    order_id BIGINT UNSIGNED NOT NULL,
    expires_at DATETIME(6) NULL,
    PRIMARY KEY (space_id, date, slot),
    KEY slot_claims_order (order_id),
    CONSTRAINT slot_claims_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id),
    CONSTRAINT slot_claims_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One review per order; the optional photo goes through the same pipeline as space images.
CREATE TABLE reviews (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    order_id BIGINT UNSIGNED NOT NULL,
    space_id BIGINT UNSIGNED NOT NULL,
    user_id BIGINT UNSIGNED NOT NULL,
    grade TINYINT UNSIGNED NOT NULL,
    content TEXT NOT NULL,
    image_status ENUM('processing', 'ready', 'failed') NULL,
    image_original_key VARCHAR(255) NULL,
    image_web_key VARCHAR(255) NULL,
    image_thumbnail_key VARCHAR(255) NULL,
    image_width INT UNSIGNED NULL,
    image_height INT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY reviews_order_unique (order_id),
    KEY reviews_space_newest (space_id, created_at, id),
    CONSTRAINT reviews_order_fk FOREIGN KEY (order_id) REFERENCES orders (id),
    CONSTRAINT reviews_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id),
    CONSTRAINT reviews_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT reviews_grade_range CHECK (grade BETWEEN 1 AND 5)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE likes (
    user_id BIGINT UNSIGNED NOT NULL,
    space_id BIGINT UNSIGNED NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (user_id, space_id),
    KEY likes_space (space_id),
    CONSTRAINT likes_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT likes_space_fk FOREIGN KEY (space_id) REFERENCES spaces (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A replayed Idempotency-Key answers the stored response; request_hash tells a reuse with a
-- different body apart. Rows older than 24 hours are ignored and purged.
CREATE TABLE idempotency_keys (
    user_id BIGINT UNSIGNED NOT NULL,
    scope VARCHAR(64) NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    request_hash BINARY(32) NOT NULL,
    response_status SMALLINT UNSIGNED NULL,
    response_body MEDIUMBLOB NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (user_id, scope, idempotency_key),
    KEY idempotency_keys_created (created_at),
    CONSTRAINT idempotency_keys_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
