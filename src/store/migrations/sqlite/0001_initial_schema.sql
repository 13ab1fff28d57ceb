-- Initial schema (SQLite dialect). Times are BIGINT microseconds since the Unix epoch (UTC);
-- period buckets are computed in the user's IANA timezone and stored as their UTC start and end.
-- Raw rows move pending -> processing (lease_owner, lease_expires_us) -> processed | failed (error).
-- Aggregates are keyed by (user, series/test/nutrient, period start) and recomputed, never added to.

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  timezone TEXT NOT NULL DEFAULT 'UTC',
  created_at_us BIGINT NOT NULL
);

-- Vitals ------------------------------------------------------------------------------------------

CREATE TABLE vitals_raw_data (
  id INTEGER PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  value DOUBLE PRECISION,            -- as sent; systolic for blood_pressure
  value2 DOUBLE PRECISION,           -- diastolic for blood_pressure
  unit TEXT NOT NULL,
  stage TEXT,                        -- sleep stage
  start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL,
  utc_offset_s INTEGER NOT NULL DEFAULT 0,  -- offset the client sent with `start`
  source TEXT,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'processing', 'processed', 'failed')),
  lease_owner TEXT,
  lease_expires_us BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at_us BIGINT NOT NULL,
  processed_at_us BIGINT
);
CREATE INDEX vitals_raw_data_open ON vitals_raw_data (user_id)
  WHERE status IN ('pending', 'processing');
CREATE INDEX vitals_raw_data_failed ON vitals_raw_data (user_id) WHERE status = 'failed';

CREATE TABLE vitals_raw_categorized (
  id INTEGER PRIMARY KEY,
  raw_id BIGINT NOT NULL REFERENCES vitals_raw_data(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL,
  series TEXT NOT NULL,              -- heart_rate, blood_pressure_systolic, sleep_deep, ...
  loinc_code TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,   -- in `unit`, the series' canonical UCUM unit
  unit TEXT NOT NULL,
  start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL,
  categorized_at_us BIGINT NOT NULL,
  UNIQUE (raw_id, series)
);
CREATE INDEX vitals_raw_categorized_series ON vitals_raw_categorized (user_id, series, start_us);

CREATE TABLE vitals_hourly_aggregates (
  user_id BIGINT NOT NULL,
  series TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  loinc_code TEXT NOT NULL,
  unit TEXT NOT NULL,
  sample_count BIGINT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  average DOUBLE PRECISION NOT NULL,
  minimum DOUBLE PRECISION NOT NULL,
  maximum DOUBLE PRECISION NOT NULL,
  latest_value DOUBLE PRECISION NOT NULL,
  latest_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, series, period_start_us)
) WITHOUT ROWID;
CREATE TABLE vitals_daily_aggregates (
  user_id BIGINT NOT NULL,
  series TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  loinc_code TEXT NOT NULL,
  unit TEXT NOT NULL,
  sample_count BIGINT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  average DOUBLE PRECISION NOT NULL,
  minimum DOUBLE PRECISION NOT NULL,
  maximum DOUBLE PRECISION NOT NULL,
  latest_value DOUBLE PRECISION NOT NULL,
  latest_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, series, period_start_us)
) WITHOUT ROWID;
CREATE TABLE vitals_weekly_aggregates (
  user_id BIGINT NOT NULL,
  series TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  loinc_code TEXT NOT NULL,
  unit TEXT NOT NULL,
  sample_count BIGINT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  average DOUBLE PRECISION NOT NULL,
  minimum DOUBLE PRECISION NOT NULL,
  maximum DOUBLE PRECISION NOT NULL,
  latest_value DOUBLE PRECISION NOT NULL,
  latest_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, series, period_start_us)
) WITHOUT ROWID;
CREATE TABLE vitals_monthly_aggregates (
  user_id BIGINT NOT NULL,
  series TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  loinc_code TEXT NOT NULL,
  unit TEXT NOT NULL,
  sample_count BIGINT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  average DOUBLE PRECISION NOT NULL,
  minimum DOUBLE PRECISION NOT NULL,
  maximum DOUBLE PRECISION NOT NULL,
  latest_value DOUBLE PRECISION NOT NULL,
  latest_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, series, period_start_us)
) WITHOUT ROWID;

-- Nutrition ---------------------------------------------------------------------------------------

CREATE TABLE nutrition_raw_data (
  id INTEGER PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  eaten_at_us BIGINT NOT NULL,
  utc_offset_s INTEGER NOT NULL DEFAULT 0,
  meal_type TEXT NOT NULL,
  food TEXT NOT NULL,
  nutrients TEXT NOT NULL,           -- JSON object: nutrient key (unit in the name) -> amount
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'processing', 'processed', 'failed')),
  lease_owner TEXT,
  lease_expires_us BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at_us BIGINT NOT NULL,
  processed_at_us BIGINT
);
CREATE INDEX nutrition_raw_data_open ON nutrition_raw_data (user_id)
  WHERE status IN ('pending', 'processing');
CREATE INDEX nutrition_raw_data_failed ON nutrition_raw_data (user_id) WHERE status = 'failed';
CREATE INDEX nutrition_raw_data_eaten ON nutrition_raw_data (user_id, eaten_at_us);

CREATE TABLE nutrition_daily_aggregates (
  user_id BIGINT NOT NULL,
  nutrient TEXT NOT NULL,            -- calories_kcal, protein_g, ..., or a micronutrient key
  meal_type TEXT NOT NULL,           -- 'all' or breakfast | lunch | dinner | snack
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  entry_count BIGINT NOT NULL,
  days_logged BIGINT NOT NULL,
  daily_average DOUBLE PRECISION NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, nutrient, meal_type, period_start_us)
) WITHOUT ROWID;
CREATE TABLE nutrition_weekly_aggregates (
  user_id BIGINT NOT NULL,
  nutrient TEXT NOT NULL,
  meal_type TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  entry_count BIGINT NOT NULL,
  days_logged BIGINT NOT NULL,
  daily_average DOUBLE PRECISION NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, nutrient, meal_type, period_start_us)
) WITHOUT ROWID;
CREATE TABLE nutrition_monthly_aggregates (
  user_id BIGINT NOT NULL,
  nutrient TEXT NOT NULL,
  meal_type TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  entry_count BIGINT NOT NULL,
  days_logged BIGINT NOT NULL,
  daily_average DOUBLE PRECISION NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, nutrient, meal_type, period_start_us)
) WITHOUT ROWID;

-- Labs --------------------------------------------------------------------------------------------

CREATE TABLE lab_reports (
  id INTEGER PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  report_date_us BIGINT NOT NULL,
  lab_name TEXT,
  created_at_us BIGINT NOT NULL
);

CREATE TABLE lab_report_raw (
  id INTEGER PRIMARY KEY,
  report_id BIGINT NOT NULL REFERENCES lab_reports(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL,
  position INTEGER NOT NULL,         -- index of the test on its report
  report_date_us BIGINT NOT NULL,
  test_name TEXT NOT NULL,           -- as printed
  value_text TEXT NOT NULL,          -- as printed: "5.4", "<0.1", "Positive"
  unit TEXT,
  reference_range TEXT,              -- as printed: "13.5-17.5", "<200", "Negative"
  flag TEXT,
  specimen TEXT,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'processing', 'processed', 'failed')),
  lease_owner TEXT,
  lease_expires_us BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at_us BIGINT NOT NULL,
  processed_at_us BIGINT
);
CREATE INDEX lab_report_raw_open ON lab_report_raw (user_id)
  WHERE status IN ('pending', 'processing');
CREATE INDEX lab_report_raw_failed ON lab_report_raw (user_id) WHERE status = 'failed';

CREATE TABLE lab_report_categorized (
  id INTEGER PRIMARY KEY,
  raw_id BIGINT NOT NULL UNIQUE REFERENCES lab_report_raw(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL,
  report_id BIGINT NOT NULL,
  report_date_us BIGINT NOT NULL,
  test_name TEXT NOT NULL,
  test_key TEXT NOT NULL,            -- LOINC code, or "name:<normalized name>" when unmapped
  loinc_code TEXT,
  loinc_name TEXT,
  category TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  coding_status TEXT NOT NULL,
  value_text TEXT NOT NULL,
  value_num DOUBLE PRECISION,        -- numeric part in `unit`; NULL for qualitative results
  comparator TEXT,                   -- '<', '<=', '>', '>=' for censored values such as "<0.1"
  unit TEXT,
  canonical_value DOUBLE PRECISION,  -- value_num converted to canonical_unit
  canonical_unit TEXT,
  reference_range TEXT,
  ref_low DOUBLE PRECISION,          -- bounds in canonical_unit (or `unit` if none)
  ref_low_inclusive INTEGER,
  ref_high DOUBLE PRECISION,
  ref_high_inclusive INTEGER,
  ref_qualitative TEXT,              -- "Negative" when the range is a word
  flag TEXT,                         -- low | high | normal | abnormal, or NULL if undeterminable
  flag_source TEXT NOT NULL,         -- given | derived | none
  out_of_range INTEGER NOT NULL,
  categorized_at_us BIGINT NOT NULL
);
CREATE INDEX lab_report_categorized_date ON lab_report_categorized (user_id, report_date_us);
CREATE INDEX lab_report_categorized_key ON lab_report_categorized (user_id, test_key, report_date_us);

CREATE TABLE lab_report_daily (
  user_id BIGINT NOT NULL,
  test_key TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  loinc_code TEXT,
  test_name TEXT NOT NULL,
  unit TEXT,
  result_count BIGINT NOT NULL,
  numeric_count BIGINT NOT NULL,
  average DOUBLE PRECISION,
  minimum DOUBLE PRECISION,
  maximum DOUBLE PRECISION,
  latest_value DOUBLE PRECISION,
  latest_text TEXT NOT NULL,
  latest_at_us BIGINT NOT NULL,
  out_of_range_count BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, test_key, period_start_us)
) WITHOUT ROWID;
CREATE TABLE lab_report_monthly (
  user_id BIGINT NOT NULL,
  test_key TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  loinc_code TEXT,
  test_name TEXT NOT NULL,
  unit TEXT,
  result_count BIGINT NOT NULL,
  numeric_count BIGINT NOT NULL,
  average DOUBLE PRECISION,
  minimum DOUBLE PRECISION,
  maximum DOUBLE PRECISION,
  latest_value DOUBLE PRECISION,
  latest_text TEXT NOT NULL,
  latest_at_us BIGINT NOT NULL,
  out_of_range_count BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, test_key, period_start_us)
) WITHOUT ROWID;
CREATE TABLE lab_report_quarterly (
  user_id BIGINT NOT NULL,
  test_key TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  loinc_code TEXT,
  test_name TEXT NOT NULL,
  unit TEXT,
  result_count BIGINT NOT NULL,
  numeric_count BIGINT NOT NULL,
  average DOUBLE PRECISION,
  minimum DOUBLE PRECISION,
  maximum DOUBLE PRECISION,
  latest_value DOUBLE PRECISION,
  latest_text TEXT NOT NULL,
  latest_at_us BIGINT NOT NULL,
  out_of_range_count BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, test_key, period_start_us)
) WITHOUT ROWID;
CREATE TABLE lab_report_yearly (
  user_id BIGINT NOT NULL,
  test_key TEXT NOT NULL,
  period_start_us BIGINT NOT NULL,
  period_end_us BIGINT NOT NULL,
  loinc_code TEXT,
  test_name TEXT NOT NULL,
  unit TEXT,
  result_count BIGINT NOT NULL,
  numeric_count BIGINT NOT NULL,
  average DOUBLE PRECISION,
  minimum DOUBLE PRECISION,
  maximum DOUBLE PRECISION,
  latest_value DOUBLE PRECISION,
  latest_text TEXT NOT NULL,
  latest_at_us BIGINT NOT NULL,
  out_of_range_count BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, test_key, period_start_us)
) WITHOUT ROWID;
