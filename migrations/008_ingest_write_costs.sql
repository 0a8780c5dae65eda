-- reading.track_id's foreign key ran PostgreSQL's referential-integrity trigger once per row:
-- a lookup and a row lock on track for each of a million readings of one walk, the largest
-- remaining cost of COPY into reading (BENCHMARKS.md, Ingest). The same two guarantees, kept
-- once per statement over the rows it wrote, as 004 does for areas:
-- 1. a reading's track exists, and stays until the writing transaction ends (key-share lock,
--    as the foreign key takes), else foreign_key_violation;
-- 2. deleting a track deletes its readings (the key's ON DELETE CASCADE; deleting an upload
--    still cascades to its tracks, and from them here).
ALTER TABLE reading DROP CONSTRAINT reading_track_id_fkey;

CREATE FUNCTION reading_check_tracks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  -- One lookup per distinct track (one for an upload's walk), not per reading.
  WITH wanted AS (
    SELECT DISTINCT track_id AS id FROM written WHERE track_id IS NOT NULL
  ), present AS (
    SELECT t.id FROM track t WHERE t.id IN (SELECT id FROM wanted) FOR KEY SHARE
  )
  SELECT (SELECT count(*) FROM wanted) - (SELECT count(*) FROM present) INTO missing;
  IF missing > 0 THEN
    RAISE EXCEPTION 'insert or update on table "reading" refers to a track that does not exist'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER reading_track_exists_insert AFTER INSERT ON reading
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION reading_check_tracks();
CREATE TRIGGER reading_track_exists_update AFTER UPDATE ON reading
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION reading_check_tracks();

CREATE FUNCTION track_delete_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM reading r USING removed WHERE r.track_id = removed.id;
  RETURN NULL;
END $$;

CREATE TRIGGER track_readings_cascade AFTER DELETE ON track
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION track_delete_readings();

-- A track's line arrives whole from ingest (a million-point walk is 16 MB of coordinates) and
-- pglz compression of it was most of its UPDATE (0.6 s of 1.1 s) while saving little: nearby
-- coordinates do not compress well. Stored out of line uncompressed, as PostGIS advises for large
-- geometries, which also lets PostGIS read part of one without decompressing all of it.
ALTER TABLE track ALTER COLUMN geom SET STORAGE EXTERNAL;
