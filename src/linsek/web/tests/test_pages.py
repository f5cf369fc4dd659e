"""Pages: login required, the dashboard's figures, drill-down, TPS page, search, 404s, English."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import SmallJepara
from linsek.regions.models import Region
from linsek.regions.services import rollups_refresh
from linsek.web.maps import TPS_POINTS_MAX, map_config
from linsek.web.middleware import LocaleMiddleware
from linsek.web.tests.conftest import sign_in
from tests.factories import PollingStationFactory, UserFactory

PAGES = [
    "/",
    "/wilayah/",
    "/wilayah/33.20/",
    "/wilayah/33.20.04.2001/",
    "/tps/33.20.04.2001.001/",
    "/cari/?q=Mayong",
    "/instansi/",
    "/instansi/polsek-mayong/",
    "/impor/",
    "/akun/kata-sandi/",
]
LAYERS = ["/peta/tps.json?region=33.20", "/peta/wilayah.json?parent=33.20", "/peta/batas.json?parent=33.20"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_anonymous_visitors_to_login(client: Client, jepara_small: SmallJepara, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("url", LAYERS)
def test_layers_answer_anonymous_callers_with_401_json(client: Client, jepara_small: SmallJepara, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_login_page_is_indonesian_by_default(client: Client, db: None) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert '<html lang="id">' in response.content.decode()
    assert "Nama pengguna" in response.content.decode()


def test_logout_is_a_post(signed_in: Callable[[str], Client]) -> None:
    client = signed_in("viewer")
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out


def test_home_shows_the_regency_figures_and_its_districts(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    response = signed_in("command").get("/")
    assert response.status_code == 200
    assert response.context["region"] == jepara_small.regency
    assert response.context["stats"] == [("Kecamatan", 2), ("Desa/Kelurahan", 3)]
    assert response.context["tps_total"] == 9
    assert response.context["voters_total"] == 9 * 245
    assert [c.code for c in response.context["children"]] == ["33.20.04", "33.20.10"]
    body = response.content.decode()
    assert "2.205" in body  # voters, grouped the Indonesian way
    assert 'href="/wilayah/33.20.04/"' in body
    assert 'id="map-config"' in body and "/peta/tps.json?region=33.20" in body
    assert "<script>" not in body  # no inline script: the map reads data from JSON script tags


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow_registry(jepara_small: SmallJepara) -> None:
    """Add a district with three villages and 30 TPS: nothing a page shows may cost a query per row."""
    district = Region.objects.create(
        code="33.20.05", name="Batealit", level="district", kind="kecamatan", parent=jepara_small.regency
    )
    for v in range(1, 4):
        village = Region.objects.create(
            code=f"33.20.05.200{v}",
            name=f"Desa {v}",
            level="village",
            kind="desa",
            parent=district,
            lat=-6.6,
            lon=110.7,
        )
        for n in range(1, 11):
            PollingStationFactory.create(village=village, number=n, lat=-6.6, lon=110.7)
    rollups_refresh()


@pytest.mark.parametrize("url", ["/", "/wilayah/33.20/", "/wilayah/33.20.04/"])
def test_region_pages_cost_the_same_queries_whatever_the_number_of_rows(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara, url: str
) -> None:
    client = signed_in("command")
    before = _count_queries(client, url)
    _grow_registry(jepara_small)
    assert _count_queries(client, url) == before
    assert before <= 16


def test_drill_down_from_province_to_village(signed_in: Callable[[str], Client]) -> None:
    client = signed_in("viewer")
    province = client.get("/wilayah/33/")
    assert province.status_code == 200 and "Jepara" in province.content.decode()
    district = client.get("/wilayah/33.20.04/")
    body = district.content.decode()
    assert district.context["ancestors"][0].code == "33" and district.context["ancestors"][1].code == "33.20"
    assert "Pelemkerep" in body and "Pule" in body and "Karimunjawa" not in body.split("Instansi setempat")[0]
    village = client.get("/wilayah/33.20.04.2001/")
    codes = [t.code for t in village.context["stations"]]
    assert codes == [f"33.20.04.2001.{n:03d}" for n in range(1, 5)]
    assert 'href="/tps/33.20.04.2001.003/"' in village.content.decode()


def test_region_codes_may_be_given_without_dots(signed_in: Callable[[str], Client]) -> None:
    response = signed_in("viewer").get("/wilayah/3320042001/")
    assert response.status_code == 200
    assert response.context["region"].code == "33.20.04.2001"


def test_tps_page_shows_voters_access_notes_and_who_covers_it(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    response = signed_in("viewer").get("/tps/33.20.10.2001.002/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "TPS 002 Karimunjawa" in body
    assert "Pulau Karimunjawa" in body and "hanya lewat laut" in body
    assert ">245<" in body and ">120<" in body and ">125<" in body
    covering = {o.code for o in response.context["organisations"]}
    assert covering == {"polres-jepara", "polsek-karimunjawa", "bawaslu-jepara"}


@pytest.mark.parametrize(
    "url", ["/wilayah/99.99/", "/wilayah/bukan-kode/", "/tps/33.20.04.2001.999/", "/instansi/nope/"]
)
def test_unknown_codes_are_404(signed_in: Callable[[str], Client], url: str) -> None:
    response = signed_in("viewer").get(url)
    assert response.status_code == 404
    assert "Tidak ditemukan" in response.content.decode()


def test_search_finds_a_tps_by_code_for_htmx(signed_in: Callable[[str], Client]) -> None:
    response = signed_in("viewer").get("/cari/", {"q": "33.20.04.2001.003"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # a fragment for htmx
    assert 'href="/tps/33.20.04.2001.003/"' in body
    assert [t.code for t in response.context["stations"]] == ["33.20.04.2001.003"]


def test_search_finds_regions_by_name_and_a_tps_by_village_and_number(signed_in: Callable[[str], Client]) -> None:
    client = signed_in("viewer")
    by_name = client.get("/cari/", {"q": "mayong"})
    assert "<html" in by_name.content.decode()  # the full page without htmx
    assert [r.code for r in by_name.context["regions"]] == ["33.20.04"]
    by_number = client.get("/cari/", {"q": "Pelemkerep 3"})
    assert [t.code for t in by_number.context["stations"]] == ["33.20.04.2001.003"]
    nothing = client.get("/cari/", {"q": "Atlantis"})
    assert "Tidak ada TPS atau wilayah yang cocok" in nothing.content.decode()


def test_english_switch_changes_the_headings(signed_in: Callable[[str], Client]) -> None:
    client = signed_in("command")
    indonesian = client.get("/").content.decode()
    assert re.search(r'<h2 id="map-heading">Peta TPS</h2>', indonesian)
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert re.search(r'<h2 id="map-heading">Polling station map</h2>', english)
    assert "Summary by district" in english and "Agency directory" in english
    assert "2,205" in english  # numbers grouped the English way


def test_password_change_pages(signed_in: Callable[[str], Client], jepara_small: SmallJepara) -> None:
    client = signed_in("viewer")
    assert client.get("/akun/kata-sandi/").status_code == 200
    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": "rahasia-uji-123",
            "new_password1": "kata-sandi-baru-2024",
            "new_password2": "kata-sandi-baru-2024",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/akun/kata-sandi/selesai/"
    jepara_small.users["viewer"].refresh_from_db()
    assert jepara_small.users["viewer"].check_password("kata-sandi-baru-2024")


def test_national_dashboard_for_a_user_without_an_organisation(client: Client, jepara_small: SmallJepara) -> None:
    Region.objects.create(code="33.21", name="Demak", level="regency", kind="kabupaten", parent=jepara_small.province)
    admin = UserFactory.create(username="nasional", is_superuser=True, is_staff=True)
    response = sign_in(client, admin).get("/")
    assert response.status_code == 200
    assert response.context["region"] is None
    assert [c.code for c in response.context["children"]] == ["33"]
    assert response.context["tps_total"] == 9
    config = response.context["map_config"]
    assert config["points"] is None and config["areas"] == "/peta/wilayah.json?level=regency"
    body = response.content.decode()
    assert "Seluruh Indonesia" in body and 'href="/admin/"' in body


def test_a_large_region_maps_aggregates_instead_of_points(jepara_small: SmallJepara) -> None:
    jepara_small.province.tps_count = TPS_POINTS_MAX + 1
    config = map_config(region=jepara_small.province)
    assert config["points"] is None
    assert config["areas"] == "/peta/wilayah.json?parent=33&level=regency"
    small = map_config(region=jepara_small.regency)
    assert small["points"] == "/peta/tps.json?region=33.20" and small["areas"] is None


def test_language_follows_the_switch_not_the_browser(rf: RequestFactory) -> None:
    """Indonesian unless the English switch was used, whatever the browser's Accept-Language says."""
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(translation.get_language())
        return HttpResponse()

    middleware = LocaleMiddleware(view)
    middleware(rf.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    english = rf.get("/", HTTP_ACCEPT_LANGUAGE="id")
    english.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "en"
    middleware(english)
    bogus = rf.get("/")
    bogus.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "xx"
    middleware(bogus)
    assert seen == ["id", "en", "id"]
