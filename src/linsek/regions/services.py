"""Writes to the region registry."""

from __future__ import annotations

from django.db import connection, transaction

from linsek.regions.models import Region


@transaction.atomic
def rollups_refresh() -> None:
    """Recompute TPS and voter totals for every region from the TPS rows, in four set-based statements.

    Villages sum their TPS; districts, regencies and provinces sum the TPS that carry their id
    (the TPS row stores all four ancestors), so each level is one GROUP BY, whatever the size.
    """
    region = Region._meta.db_table
    tps = "regions_pollingstation"
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {region} SET tps_count = 0, voters_male = 0, voters_female = 0, voters_total = 0"  # noqa: S608
        )
        for column in ("village_id", "district_id", "regency_id", "province_id"):
            cur.execute(
                f"""
                UPDATE {region} SET
                    tps_count = agg.n, voters_male = agg.m, voters_female = agg.f, voters_total = agg.t
                FROM (
                    SELECT {column} AS rid, COUNT(*) AS n, SUM(voters_male) AS m,
                           SUM(voters_female) AS f, SUM(voters_total) AS t
                    FROM {tps} GROUP BY {column}
                ) AS agg
                WHERE {region}.id = agg.rid
                """  # noqa: S608
            )
