-- Every village map and atlas sheet produced, so the progress view can tell which villages
-- have a printed map of the boundary they now have (the version printed is kept: a village
-- re-derived after its map was printed needs a new print).
-- An atlas adds one row per village sheet in it (kind 'atlas', atlas_area_id = the kumban or
-- district printed) and one row for the atlas area itself (kind 'atlas', atlas_area_id = itself).
CREATE TABLE map_print (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id       bigint NOT NULL REFERENCES area (id) ON DELETE CASCADE,
  version       int NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('pdf', 'png', 'atlas')),
  atlas_area_id bigint REFERENCES area (id) ON DELETE CASCADE,
  printed_at    timestamptz NOT NULL DEFAULT now(),
  -- The token's name when the request carried one, 'cli' from `npm run export`, else unknown.
  printed_by    text,
  CHECK ((kind = 'atlas') = (atlas_area_id IS NOT NULL))
);
CREATE INDEX map_print_area_idx ON map_print (area_id, version);
