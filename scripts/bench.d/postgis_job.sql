-- The benchmark job in PostGIS SQL, as a competent analyst would write it,
-- with the same semantics as `firerisk run` with bench.yaml (see
-- geopandas_job.py for the list).  Run by scripts/bench after ogr2ogr has
-- loaded city.gpkg (tables parcels, inspections, incidents, stations with
-- GiST indexes on geom; ogc_fid = source order).
\set ON_ERROR_STOP on
CREATE INDEX ON parcels (parcel_id);

-- inspections and incidents to parcels: id, else intersects (lowest fid), else nearest within 15 m
CREATE TABLE insp_m AS
SELECT i.ogc_fid AS iid, i.insp_date AS d, upper(i.result) AS result, i.violations,
       COALESCE((SELECT p.ogc_fid FROM parcels p WHERE p.parcel_id = trim(i.parcel_id) ORDER BY p.ogc_fid LIMIT 1),
                (SELECT p.ogc_fid FROM parcels p WHERE ST_Intersects(p.geom, i.geom) ORDER BY p.ogc_fid LIMIT 1),
                (SELECT p.ogc_fid FROM parcels p WHERE ST_DWithin(p.geom, i.geom, 15)
                 ORDER BY ST_Distance(p.geom, i.geom), p.ogc_fid LIMIT 1)) AS pid
FROM inspections i;

CREATE TABLE inc_m AS
SELECT i.ogc_fid AS iid, i.alarm_date AS d, i.geom,
       substring(i.nfirs_type from '^\s*(\d+)')::int BETWEEN 110 AND 129 AS fire,
       COALESCE((SELECT p.ogc_fid FROM parcels p WHERE ST_Intersects(p.geom, i.geom) ORDER BY p.ogc_fid LIMIT 1),
                (SELECT p.ogc_fid FROM parcels p WHERE ST_DWithin(p.geom, i.geom, 15)
                 ORDER BY ST_Distance(p.geom, i.geom), p.ogc_fid LIMIT 1)) AS pid
FROM incidents i;

CREATE TABLE fires3 AS SELECT iid, geom FROM inc_m
WHERE fire AND pid IS NOT NULL AND d >= DATE '2023-01-01' AND d < DATE '2026-01-01';
CREATE INDEX ON fires3 USING gist (geom);

CREATE TABLE feat AS
SELECT p.ogc_fid, p.parcel_id, p.address, p.geom,
       coalesce(f5.n, 0) AS fires_parcel_5y,
       coalesce(nr.n, 0) AS fires_near_3y,
       coalesce(i5.n, 0) AS insp_count_5y,
       coalesce(i3.failed, 0) AS insp_failed_3y,
       coalesce(i3.viol, 0) AS insp_violations_3y,
       CASE WHEN p.year_built BETWEEN 1600 AND 2026 THEN 2026 - p.year_built END AS building_age,
       p.vacant::float8 AS vacant, p.owner_occ::float8 AS owner_occupied, p.units::float8 AS units,
       (SELECT ST_Distance(ST_PointOnSurface(p.geom), s.geom) FROM stations s
        ORDER BY s.geom <-> ST_PointOnSurface(p.geom) LIMIT 1) AS station_dist_m
FROM parcels p
LEFT JOIN (SELECT pid, count(*) AS n FROM inc_m WHERE fire AND d >= DATE '2021-01-01' AND d < DATE '2026-01-01'
           GROUP BY pid) f5 ON f5.pid = p.ogc_fid
LEFT JOIN (SELECT p2.ogc_fid AS pid, count(*) AS n FROM parcels p2 JOIN fires3 f ON ST_DWithin(p2.geom, f.geom, 250)
           GROUP BY p2.ogc_fid) nr ON nr.pid = p.ogc_fid
LEFT JOIN (SELECT pid, count(*) AS n FROM insp_m WHERE d >= DATE '2021-01-01' AND d < DATE '2026-01-01'
           GROUP BY pid) i5 ON i5.pid = p.ogc_fid
LEFT JOIN (SELECT pid,
                  count(*) FILTER (WHERE result IN ('FAIL', 'FAILED', 'F', 'VIOLATION', 'VIOLATIONS',
                                                    'NON-COMPLIANT', 'NONCOMPLIANT')) AS failed,
                  sum(greatest(violations, 0)) AS viol
           FROM insp_m WHERE d >= DATE '2023-01-01' AND d < DATE '2026-01-01' GROUP BY pid) i3 ON i3.pid = p.ogc_fid;

CREATE TABLE ranked AS
SELECT row_number() OVER (ORDER BY score DESC, parcel_id COLLATE "C") AS rank, *
FROM (SELECT *, (3 * least(greatest(fires_parcel_5y::float8 / 2, 0), 1)
               + 2 * least(greatest(fires_near_3y::float8 / 10, 0), 1)
               + 2 * least(greatest(insp_failed_3y::float8 / 3, 0), 1)
               + 1 * least(greatest(insp_violations_3y::float8 / 10, 0), 1)
               + 2 * coalesce(least(greatest(building_age::float8 / 100, 0), 1), 0)
               + 1.5 * coalesce(least(greatest(vacant / 1, 0), 1), 0)
               + 1 * coalesce(1 - least(greatest(owner_occupied / 1, 0), 1), 0)
               + 0.5 * coalesce(least(greatest(units / 50, 0), 1), 0)
               + 0.5 * coalesce(least(greatest(station_dist_m / 5000, 0), 1), 0)) / 13.5::float8 AS score
      FROM feat) s;
