-- The statement-level cascades of 008 and 010 deleted with `DELETE ... USING removed`. For a
-- relation joined into a DELETE, PostgreSQL keeps a copy of the joined row for each row deleted
-- (a transition table has no ctid to refetch it by), and that copy is the whole row, detoasted:
-- deleting a track whose line is a million-fix walk (16 MB, stored out of line) rebuilt its
-- 16 MB row once for each of its million readings, which is how deleting one upload ran for
-- minutes. Taking the ids as an array first (an InitPlan) joins nothing, so nothing is copied.
CREATE OR REPLACE FUNCTION track_delete_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM reading r WHERE r.track_id = ANY (ARRAY(SELECT id FROM removed));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION area_removed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  child record;
BEGIN
  DELETE FROM area_version v WHERE v.area_id = ANY (ARRAY(SELECT id FROM removed));
  SELECT a.parent_id, a.code INTO child FROM area a WHERE a.parent_id IN (SELECT id FROM removed) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "area" violates foreign key constraint "area_parent_id_fkey" on table "area"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'area_parent_id_fkey',
            DETAIL = format('Key (id)=(%s) is still referenced from table "area" (area %s).', child.parent_id, child.code);
  END IF;
  RETURN NULL;
END $$;
