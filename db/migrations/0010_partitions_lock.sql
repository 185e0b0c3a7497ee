-- ensure_raw_events_partitions, safe when called at once by several processes. Before, two
-- calls that found the same day missing both ran CREATE TABLE IF NOT EXISTS, and the second
-- failed with "relation ... already exists" (the check and the creation are not atomic): two
-- processors meeting a new day's first events, or a processor and the retention job. A call
-- that finds a day missing now takes a transaction-level advisory lock, so creators go one at
-- a time, and a creation that finds the day made meanwhile counts as done (the check before it
-- may read a catalog cache from before the lock). The usual call, which finds every day
-- there, takes no lock.
CREATE OR REPLACE FUNCTION ensure_raw_events_partitions(from_day date, to_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  day date := from_day;
  created integer := 0;
  locked boolean := false;
  name text;
BEGIN
  WHILE day <= to_day LOOP
    name := format('raw_events_%s', to_char(day, 'YYYYMMDD'));
    IF to_regclass(name) IS NULL THEN
      IF NOT locked THEN
        -- one creator at a time; released when the calling transaction ends
        PERFORM pg_advisory_xact_lock(hashtext('ensure_raw_events_partitions'));
        locked := true;
      END IF;
      BEGIN
        EXECUTE format(
          'CREATE TABLE %I PARTITION OF raw_events FOR VALUES FROM (%L) TO (%L)',
          name, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
        created := created + 1;
      EXCEPTION WHEN duplicate_table THEN
        NULL; -- another call made it while this one waited for the lock
      END;
    END IF;
    day := day + 1;
  END LOOP;
  RETURN created;
END;
$$;
