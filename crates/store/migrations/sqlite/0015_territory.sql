-- 区域设计 (territory design): the units territories are made of (districts, cities), which
-- units share a border, and scenarios (方案) that group units into territories. A unit's
-- owner is the current alignment: the rep responsible for it now.
CREATE TABLE territory_units (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    province     TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL DEFAULT '',
    district     TEXT NOT NULL DEFAULT '',
    lon          DOUBLE PRECISION,
    lat          DOUBLE PRECISION,
    x_km         DOUBLE PRECISION NOT NULL,
    y_km         DOUBLE PRECISION NOT NULL,
    area_km2     DOUBLE PRECISION,
    perimeter_km DOUBLE PRECISION,
    potential    DOUBLE PRECISION NOT NULL,
    workload     DOUBLE PRECISION NOT NULL,
    -- the unit's outline for the map: a GeoJSON geometry, when known
    shape        TEXT,
    owner_id     BLOB REFERENCES users(id)
);

-- one row per unordered pair (a < b); border_km is NULL for a link joining an island
CREATE TABLE territory_edges (
    a         TEXT NOT NULL REFERENCES territory_units(code),
    b         TEXT NOT NULL REFERENCES territory_units(code),
    border_km DOUBLE PRECISION,
    PRIMARY KEY (a, b)
);

CREATE TABLE territory_scenarios (
    id         BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    k          BIGINT NOT NULL,
    -- potential | workload | both
    balance    TEXT NOT NULL,
    seed       BIGINT NOT NULL,
    -- draft | applied
    status     TEXT NOT NULL DEFAULT 'draft',
    created_by BLOB REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    applied_by BLOB REFERENCES users(id),
    applied_at BIGINT,
    version    BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE territory_scenario_territories (
    scenario_id  BLOB NOT NULL REFERENCES territory_scenarios(id) ON DELETE CASCADE,
    idx          BIGINT NOT NULL,
    label        TEXT NOT NULL,
    -- the rep who will hold the territory when the scenario is applied
    owner_id     BLOB REFERENCES users(id),
    -- 补偿系数: remote or sparse territories earn more per unit of result
    compensation DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    PRIMARY KEY (scenario_id, idx)
);

CREATE TABLE territory_scenario_units (
    scenario_id BLOB NOT NULL REFERENCES territory_scenarios(id) ON DELETE CASCADE,
    unit_code   TEXT NOT NULL REFERENCES territory_units(code),
    idx         BIGINT NOT NULL,
    locked      BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (scenario_id, unit_code)
);

INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'territory.design' FROM roles WHERE code IN ('admin', 'director');
