-- The three foreign keys written with every imported area (area.level, area.parent_id and
-- area_version.area_id) ran PostgreSQL's referential-integrity trigger once per row: three
-- lookups and row locks per village, 1.5-2 s of the server's CPU in a 100,000-village import
-- (BENCHMARKS.md, Shapefile import). The same guarantees, kept once per statement over the
-- rows it wrote, as 004 does for the parent's level and 008 for readings:
-- 1. an area's level exists, and stays while areas use it;
-- 2. an area's parent exists and stays until the writing transaction ends (key-share lock, as
--    the foreign key takes); deleting an area that still has children fails;
-- 3. a version's area exists (key-share lock), and deleting an area deletes its versions
--    (the key's ON DELETE CASCADE).
-- Violations raise foreign_key_violation naming the constraint the key had, so callers that
-- translate 23503 see what they saw before; like 004, at the end of the statement.
ALTER TABLE area DROP CONSTRAINT area_level_fkey;
ALTER TABLE area DROP CONSTRAINT area_parent_id_fkey;
ALTER TABLE area_version DROP CONSTRAINT area_version_area_id_fkey;

CREATE FUNCTION area_check_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  -- Levels and parents: each distinct one looked up once, through its key, and locked as the
  -- foreign key locked it, so that it cannot go before this transaction ends.
  WITH wanted AS (
    SELECT DISTINCT level AS key FROM written
  ), present AS (
    SELECT l.key FROM admin_level l WHERE l.key IN (SELECT key FROM wanted) FOR KEY SHARE
  )
  SELECT w.key INTO missing FROM wanted w WHERE w.key NOT IN (SELECT key FROM present) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "area" violates foreign key constraint "area_level_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'area_level_fkey', DETAIL = format('Key (level)=(%s) is not present in table "admin_level".', missing);
  END IF;
  WITH wanted AS (
    SELECT DISTINCT parent_id AS id FROM written WHERE parent_id IS NOT NULL
  ), present AS (
    SELECT p.id FROM area p WHERE p.id IN (SELECT id FROM wanted) FOR KEY SHARE
  )
  SELECT w.id::text INTO missing FROM wanted w WHERE w.id NOT IN (SELECT id FROM present) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "area" violates foreign key constraint "area_parent_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'area_parent_id_fkey', DETAIL = format('Key (parent_id)=(%s) is not present in table "area".', missing);
  END IF;
  RETURN NULL;
END $$;

-- Triggers of one event fire in name order: these run before 004's parent rule
-- (area_parent_level_*), so a parent that does not exist is reported as the missing key it is,
-- not as a parent at the wrong level. Both read the same transition table.
CREATE TRIGGER area_keys_exist_insert AFTER INSERT ON area
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION area_check_keys();
CREATE TRIGGER area_keys_exist_update AFTER UPDATE ON area
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION area_check_keys();

-- Deleting areas: their versions go with them, and areas still having children stay.
CREATE FUNCTION area_removed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  child record;
BEGIN
  DELETE FROM area_version v USING removed r WHERE v.area_id = r.id;
  SELECT a.parent_id, a.code INTO child FROM area a WHERE a.parent_id IN (SELECT id FROM removed) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "area" violates foreign key constraint "area_parent_id_fkey" on table "area"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'area_parent_id_fkey',
            DETAIL = format('Key (id)=(%s) is still referenced from table "area" (area %s).', child.parent_id, child.code);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER area_removed AFTER DELETE ON area
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION area_removed();

-- A version's area exists and stays until the writing transaction ends.
CREATE FUNCTION area_version_check_areas() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  -- Versions are mostly written with their area in the same statement: an area row this
  -- transaction wrote cannot be deleted by another before it ends, so only the others are
  -- locked (a lock writes to the row, and an import writes 100,000 versions).
  WITH wanted AS (
    SELECT DISTINCT area_id AS id FROM written
  ), found AS (
    SELECT a.id, a.xmin = xid(pg_current_xact_id()) AS own FROM area a WHERE a.id IN (SELECT id FROM wanted)
  ), locked AS (
    SELECT a.id FROM area a WHERE a.id IN (SELECT id FROM found WHERE NOT own) FOR KEY SHARE
  ), present AS (
    SELECT id FROM found WHERE own UNION ALL SELECT id FROM locked
  )
  SELECT w.id INTO missing FROM wanted w WHERE w.id NOT IN (SELECT id FROM present) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "area_version" violates foreign key constraint "area_version_area_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'area_version_area_id_fkey', DETAIL = format('Key (area_id)=(%s) is not present in table "area".', missing);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER area_version_area_exists_insert AFTER INSERT ON area_version
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION area_version_check_areas();
CREATE TRIGGER area_version_area_exists_update AFTER UPDATE ON area_version
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION area_version_check_areas();

-- A level stays while areas use it.
CREATE FUNCTION admin_level_check_used() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  used text;
BEGIN
  SELECT r.key INTO used FROM removed r
  WHERE NOT EXISTS (SELECT 1 FROM admin_level l WHERE l.key = r.key)
    AND EXISTS (SELECT 1 FROM area a WHERE a.level = r.key)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "admin_level" violates foreign key constraint "area_level_fkey" on table "area"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'area_level_fkey', DETAIL = format('Key (key)=(%s) is still referenced from table "area".', used);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER admin_level_used_delete AFTER DELETE ON admin_level
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION admin_level_check_used();
CREATE TRIGGER admin_level_used_update AFTER UPDATE ON admin_level
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION admin_level_check_used();
