-- The parent rule of 001 (a parent sits exactly one level above its child; only the top level
-- has no parent) checked once per statement over the rows it wrote, instead of by a plpgsql
-- call per row: a 100,000-village import paid 100,000 function calls and lookups for it.
-- Same guarantee, same messages, same SQLSTATE (check_violation); the error now comes at the
-- end of the statement instead of at the row, which callers cannot tell apart.
DROP TRIGGER area_parent_level ON area;
DROP FUNCTION area_check_parent();

CREATE FUNCTION area_check_parents() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  -- The parents' levels are looked up once per distinct parent, each through the primary key
  -- (a scalar subquery), so a statement writing 5,000 villages of one kumban reads one row of
  -- area, not the whole table.
  WITH parent AS (
    SELECT d.parent_id AS id,
           (SELECT pl.rank FROM area p JOIN admin_level pl ON pl.key = p.level WHERE p.id = d.parent_id) AS rank
    FROM (SELECT DISTINCT parent_id FROM written WHERE parent_id IS NOT NULL) d
  )
  SELECT n.code, n.level, (n.parent_id IS NULL) AS orphan INTO bad
  FROM written n
  JOIN admin_level l ON l.key = n.level
  LEFT JOIN parent ON parent.id = n.parent_id
  WHERE (n.parent_id IS NULL AND l.rank <> (SELECT min(rank) FROM admin_level))
     OR (n.parent_id IS NOT NULL AND parent.rank IS DISTINCT FROM l.rank - 1)
  ORDER BY n.code  -- the same area is named whatever order the rows were written in
  LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF bad.orphan THEN
    RAISE EXCEPTION 'area % at level % needs a parent', bad.code, bad.level USING ERRCODE = 'check_violation';
  END IF;
  RAISE EXCEPTION 'the parent of area % must be one level above %', bad.code, bad.level USING ERRCODE = 'check_violation';
END $$;

-- Transition tables allow one event per trigger and no column list, so inserts and updates
-- each get a trigger; an update that changes neither parent nor level re-checks rows that
-- were already right, a join per statement.
CREATE TRIGGER area_parent_level_insert AFTER INSERT ON area
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION area_check_parents();
CREATE TRIGGER area_parent_level_update AFTER UPDATE ON area
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION area_check_parents();
