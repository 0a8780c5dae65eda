-- Tessera domain schema. Geometries are stored in EPSG:4326 (WGS84 lon/lat); metric
-- measures are computed on the geography type so they stay right across UTM zones.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Administrative levels, ordered from the top (rank 0). Countries name them differently;
-- the rows are seeded from configuration, the codes used by the API are the `key`s.
CREATE TABLE admin_level (
  key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]*$'),
  rank        int  NOT NULL UNIQUE CHECK (rank >= 0),
  label       text NOT NULL,
  label_local text
);

INSERT INTO admin_level (key, rank, label, label_local) VALUES
  ('province', 0, 'Province', 'ແຂວງ'),
  ('district', 1, 'District', 'ເມືອງ'),
  ('kumban',   2, 'Kumban',   'ກຸ່ມບ້ານ'),
  ('ban',      3, 'Village',  'ບ້ານ');

CREATE TABLE api_token (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('admin', 'mapper', 'planner', 'staff')),
  -- sha256 of the secret; the secret itself is shown once and never stored.
  token_hash   text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE TABLE area (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  level       text NOT NULL REFERENCES admin_level (key),
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  name_local  text CHECK (length(name_local) <= 200),
  parent_id   bigint REFERENCES area (id),
  status      text NOT NULL DEFAULT 'planned'
              CHECK (status IN ('planned', 'provisional', 'surveyed', 'disputed', 'agreed', 'approved')),
  geom        geometry(MultiPolygon, 4326) CHECK (geom IS NULL OR (ST_IsValid(geom) AND NOT ST_IsEmpty(geom))),
  centre      geometry(Point, 4326),
  area_m2     double precision,
  perimeter_m double precision,
  population  int CHECK (population >= 0),
  households  int CHECK (households >= 0),
  attributes  jsonb NOT NULL DEFAULT '{}',
  method      text,
  version     int NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX area_geom_idx ON area USING gist (geom);
CREATE INDEX area_centre_idx ON area USING gist (centre);
CREATE INDEX area_parent_idx ON area (parent_id);
CREATE INDEX area_level_idx ON area (level);
CREATE INDEX area_name_idx ON area (lower(name));

-- A parent sits exactly one level above its child; only the top level has no parent.
CREATE FUNCTION area_check_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  own_rank int;
  parent_rank int;
BEGIN
  SELECT rank INTO own_rank FROM admin_level WHERE key = NEW.level;
  IF NEW.parent_id IS NULL THEN
    IF own_rank <> (SELECT min(rank) FROM admin_level) THEN
      RAISE EXCEPTION 'area % at level % needs a parent', NEW.code, NEW.level USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  SELECT l.rank INTO parent_rank FROM area a JOIN admin_level l ON l.key = a.level WHERE a.id = NEW.parent_id;
  IF parent_rank IS DISTINCT FROM own_rank - 1 THEN
    RAISE EXCEPTION 'the parent of area % must be one level above %', NEW.code, NEW.level USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER area_parent_level BEFORE INSERT OR UPDATE OF parent_id, level ON area
  FOR EACH ROW EXECUTE FUNCTION area_check_parent();

-- Every change of an area's geometry or status, as a full snapshot, so history can be
-- listed, compared and restored without replaying diffs.
CREATE TABLE area_version (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id     bigint NOT NULL REFERENCES area (id) ON DELETE CASCADE,
  version     int NOT NULL,
  status      text NOT NULL,
  name        text NOT NULL,
  name_local  text,
  geom        geometry(MultiPolygon, 4326),
  centre      geometry(Point, 4326),
  area_m2     double precision,
  perimeter_m double precision,
  population  int,
  households  int,
  attributes  jsonb NOT NULL DEFAULT '{}',
  method      text,
  -- what the version was made from: upload ids, track ids, tolerance, restored version...
  inputs      jsonb NOT NULL DEFAULT '{}',
  reason      text,
  changed_by  text,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (area_id, version)
);

CREATE TABLE upload (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  filename    text NOT NULL,
  sha256      text NOT NULL UNIQUE,
  size_bytes  bigint NOT NULL,
  kind        text NOT NULL,
  crs         text,
  encoding    text,
  area_id     bigint REFERENCES area (id),
  report      jsonb NOT NULL DEFAULT '{}',
  uploaded_by text,
  uploaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE survey (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upload_id  uuid REFERENCES upload (id) ON DELETE CASCADE,
  mapper     text,
  device     text,
  started_at timestamptz,
  ended_at   timestamptz,
  area_id    bigint REFERENCES area (id)
);

CREATE TABLE track (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upload_id     uuid REFERENCES upload (id) ON DELETE CASCADE,
  survey_id     bigint REFERENCES survey (id) ON DELETE CASCADE,
  area_id       bigint REFERENCES area (id),
  -- for a shared boundary walk: the village on the other side (NULL = outside or unknown)
  other_area_id bigint REFERENCES area (id),
  name          text,
  description   text,
  kind          text NOT NULL DEFAULT 'line' CHECK (kind IN ('line', 'perimeter', 'segment', 'route')),
  geom          geometry(LineString, 4326),
  reading_count int NOT NULL DEFAULT 0,
  started_at    timestamptz,
  ended_at      timestamptz
);
CREATE INDEX track_geom_idx ON track USING gist (geom);
CREATE INDEX track_area_idx ON track (area_id);

CREATE TABLE reading (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upload_id   uuid NOT NULL REFERENCES upload (id) ON DELETE CASCADE,
  track_id    bigint REFERENCES track (id) ON DELETE CASCADE,
  seq         int NOT NULL,
  taken_at    timestamptz,
  geom        geometry(Point, 4326) NOT NULL,
  elevation   double precision,
  hdop        double precision,
  vdop        double precision,
  pdop        double precision,
  satellites  int,
  fix         text,
  extensions  jsonb,
  kept        boolean NOT NULL,
  drop_reason text,
  CHECK (kept = (drop_reason IS NULL))
);
CREATE INDEX reading_track_idx ON reading (track_id, seq);
CREATE INDEX reading_upload_idx ON reading (upload_id);

CREATE TABLE marker (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upload_id   uuid REFERENCES upload (id) ON DELETE CASCADE,
  area_id     bigint REFERENCES area (id),
  name        text,
  description text,
  symbol      text,
  geom        geometry(Point, 4326) NOT NULL,
  elevation   double precision,
  taken_at    timestamptz
);
CREATE INDEX marker_geom_idx ON marker USING gist (geom);

-- A shared line between two areas (right_area_id NULL = the outside of the parent).
CREATE TABLE boundary (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  left_area_id  bigint NOT NULL REFERENCES area (id),
  right_area_id bigint REFERENCES area (id),
  geom          geometry(LineString, 4326) NOT NULL,
  status        text NOT NULL DEFAULT 'walked' CHECK (status IN ('walked', 'agreed', 'disputed', 'approved')),
  track_ids     bigint[] NOT NULL DEFAULT '{}',
  walked_by     text,
  walked_at     timestamptz,
  agreed_by     jsonb NOT NULL DEFAULT '[]',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (left_area_id IS DISTINCT FROM right_area_id)
);
CREATE INDEX boundary_geom_idx ON boundary USING gist (geom);

CREATE TABLE dispute (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_a_id   bigint NOT NULL REFERENCES area (id),
  area_b_id   bigint NOT NULL REFERENCES area (id),
  boundary_id bigint REFERENCES boundary (id),
  geom        geometry(MultiPolygon, 4326),
  area_m2     double precision,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'negotiating', 'resolved')),
  notes       jsonb NOT NULL DEFAULT '[]',
  resolution  jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (area_a_id <> area_b_id)
);
CREATE INDEX dispute_geom_idx ON dispute USING gist (geom);

CREATE TABLE audit_log (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  actor    text,
  action   text NOT NULL,
  object   text,
  details  jsonb NOT NULL DEFAULT '{}'
);
