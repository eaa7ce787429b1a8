-- The sweep looks for review photos still `processing` long after the review was written
-- (their job was lost with Redis): this index answers it without scanning every review.
CREATE INDEX reviews_image_status_created ON reviews (image_status, created_at);
