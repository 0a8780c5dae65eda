-- A reading belongs to its upload through its track (track.upload_id cascades), so the direct
-- foreign key from reading to upload only cost a check per row: two million checks for a
-- million-point upload. The column and its index stay for lookups by upload.
ALTER TABLE reading DROP CONSTRAINT reading_upload_id_fkey;

-- Columns that refer to an area, indexed so that looking up, or deleting, an area does not
-- scan whole tables.
CREATE INDEX marker_area_idx ON marker (area_id);
CREATE INDEX track_other_area_idx ON track (other_area_id);
CREATE INDEX upload_area_idx ON upload (area_id);
CREATE INDEX survey_area_idx ON survey (area_id);
CREATE INDEX dispute_area_a_idx ON dispute (area_a_id);
CREATE INDEX dispute_area_b_idx ON dispute (area_b_id);
CREATE INDEX boundary_left_idx ON boundary (left_area_id);
CREATE INDEX boundary_right_idx ON boundary (right_area_id);
