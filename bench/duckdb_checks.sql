-- The metrics of bench/suite.yml, hand-written for DuckDB: what a competent
-- engineer would write to gate the same table without verdict.
-- Statement 1: one aggregate over the whole file (every metric but uniqueness).
-- Statement 2: the uniqueness of id, as its own group-by.
-- Statement 3: the schema (footer only), for the schema contract.
-- bench/duckdb_run.py runs the statements in order and checks each result
-- against the bounds of bench/suite.yml. NaN occurs only in `score`, so only
-- `score` filters it out of min/max/avg/stddev (verdict skips NaN there too).

SELECT
  count(*)                                                    AS row_count,

  count(*) - count(id)                                        AS id_nulls,
  min(id)                                                     AS id_min,
  max(id)                                                     AS id_max,

  count(*) - count(price)                                     AS price_nulls,
  min(price)                                                  AS price_min,
  max(price)                                                  AS price_max,
  avg(price)                                                  AS price_mean,
  stddev_samp(price)                                          AS price_stddev,
  sum(price)                                                  AS price_sum,

  count(*) - count(discount)                                  AS discount_nulls,
  min(discount)                                               AS discount_min,
  max(discount)                                               AS discount_max,
  avg(discount)                                               AS discount_mean,

  count(*) FILTER (WHERE isnan(score))                        AS score_nans,
  count(*) - count(score)                                     AS score_nulls,
  min(score) FILTER (WHERE NOT isnan(score))                  AS score_min,
  max(score) FILTER (WHERE NOT isnan(score))                  AS score_max,
  avg(score) FILTER (WHERE NOT isnan(score))                  AS score_mean,
  stddev_samp(score) FILTER (WHERE NOT isnan(score))          AS score_stddev,

  count(*) - count(weight_kg)                                 AS weight_kg_nulls,
  min(weight_kg)                                              AS weight_kg_min,
  max(weight_kg)                                              AS weight_kg_max,
  avg(weight_kg)                                              AS weight_kg_mean,

  count(*) - count(latency_ms)                                AS latency_ms_nulls,
  min(latency_ms)                                             AS latency_ms_min,
  max(latency_ms)                                             AS latency_ms_max,
  avg(latency_ms)                                             AS latency_ms_mean,

  count(*) - count(qty)                                       AS qty_nulls,
  min(qty)                                                    AS qty_min,
  max(qty)                                                    AS qty_max,
  avg(qty)                                                    AS qty_mean,
  sum(qty)                                                    AS qty_sum,

  count(*) - count(age)                                       AS age_nulls,
  min(age)                                                    AS age_min,
  max(age)                                                    AS age_max,
  avg(age)                                                    AS age_mean,

  count(*) - count(clicks)                                    AS clicks_nulls,
  min(clicks)                                                 AS clicks_min,
  max(clicks)                                                 AS clicks_max,
  avg(clicks)                                                 AS clicks_mean,
  stddev_samp(clicks)                                         AS clicks_stddev,

  count(*) - count(revenue_cents)                             AS revenue_cents_nulls,
  min(revenue_cents)                                          AS revenue_cents_min,
  max(revenue_cents)                                          AS revenue_cents_max,
  sum(revenue_cents)                                          AS revenue_cents_sum,

  count(*) - count(country)                                   AS country_nulls,
  count(*) FILTER (WHERE country NOT IN ('FR', 'DE', 'ES', 'IT', 'NL'))
                                                              AS country_not_in_set,
  min(length(country))                                        AS country_len_min,
  max(length(country))                                        AS country_len_max,

  count(*) - count(category)                                  AS category_nulls,
  count(*) FILTER (WHERE category NOT IN ('books', 'electronics', 'fashion', 'garden',
                                          'grocery', 'health', 'sports', 'toys'))
                                                              AS category_not_in_set,

  count(*) - count(device)                                    AS device_nulls,
  count(*) FILTER (WHERE device NOT IN ('desktop', 'mobile', 'tablet'))
                                                              AS device_not_in_set,

  count(*) - count(plan)                                      AS plan_nulls,
  count(*) FILTER (WHERE plan NOT IN ('free', 'basic', 'pro', 'enterprise'))
                                                              AS plan_not_in_set,
  min(length(plan))                                           AS plan_len_min,
  max(length(plan))                                           AS plan_len_max,

  count(*) - count(created_at)                                AS created_at_nulls,
  min(created_at)                                             AS created_at_min,
  max(created_at)                                             AS created_at_max,

  count(*) - count(signup_date)                               AS signup_date_nulls,
  min(signup_date)                                            AS signup_date_min,
  max(signup_date)                                            AS signup_date_max,

  count(*) - count(is_active)                                 AS is_active_nulls,

  count(*) - count(email)                                     AS email_nulls,
  count(*) FILTER (WHERE NOT regexp_matches(email, '^[a-z]+\.[a-z]+[0-9]+@[a-z.]+\.[a-z]{2,}$'))
                                                              AS email_regex_fail,
  min(length(email))                                          AS email_len_min,
  max(length(email))                                          AS email_len_max,

  count(*) - count(label)                                     AS label_nulls,
  min(label)                                                  AS label_min,
  max(label)                                                  AS label_max,
  avg(label)                                                  AS label_mean,

  count(*) - count(rating)                                    AS rating_nulls,
  min(rating)                                                 AS rating_min,
  max(rating)                                                 AS rating_max,
  avg(rating)                                                 AS rating_mean
FROM read_parquet('bench/data/features.parquet');

SELECT count(*) AS id_duplicates
FROM (SELECT id FROM read_parquet('bench/data/features.parquet') GROUP BY id HAVING count(*) > 1);

SELECT column_name, column_type
FROM (DESCRIBE SELECT * FROM read_parquet('bench/data/features.parquet'));
