-- The sweep looks for photos still `processing` long after their upload (their job was lost
-- with Redis): this index answers it without scanning every photo.
CREATE INDEX space_images_status_updated ON space_images (status, updated_at);
