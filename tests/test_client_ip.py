"""The client address every per-client limit counts by (metoo_archive.client_ip)."""

import pytest
from django.test import RequestFactory

from metoo_archive.client_ip import client_ip


def request(remote="203.0.113.1", forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="198.51.100.7")) == "203.0.113.1"


def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(remote="10.0.0.2", forwarded="198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize("spoofed", ["192.0.2.66", "192.0.2.66, 192.0.2.67", "not-an-address"])
def test_addresses_the_client_wrote_left_of_the_proxys_are_not_believed(settings, spoofed):
    settings.TRUSTED_PROXY_COUNT = 1
    forwarded = f"{spoofed}, 198.51.100.7"
    assert client_ip(request(remote="10.0.0.2", forwarded=forwarded)) == "198.51.100.7"


def test_behind_two_proxies_the_outer_ones_view_is_taken(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "192.0.2.66, 198.51.100.7, 10.0.0.1"
    assert client_ip(request(remote="10.0.0.2", forwarded=forwarded)) == "198.51.100.7"


def test_a_request_that_came_past_the_proxy_counts_by_its_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(remote="10.0.0.5")) == "10.0.0.5"  # the container's health check


def test_a_proxy_writing_something_else_than_an_address_counts_by_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(remote="10.0.0.2", forwarded="unknown")) == "10.0.0.2"


def test_addresses_are_written_one_way(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forwarded = " 2001:DB8:0:0::1 "
    assert client_ip(request(remote="10.0.0.2", forwarded=forwarded)) == "2001:db8::1"


def test_compose_tells_the_web_server_how_many_proxies_stand_before_it():
    from tests.test_deploy import compose_services

    assert "TRUSTED_PROXY_COUNT: ${TRUSTED_PROXY_COUNT:-1}" in compose_services()["web"]


@pytest.mark.parametrize("replaced", ["AXES_IPWARE_PROXY_COUNT", "RATELIMIT_IP_META_KEY"])
def test_a_replaced_proxy_setting_stops_start_up_rather_than_being_ignored(tmp_path, replaced):
    from tests.test_deploy import SETUP_DJANGO, production_env, run

    result = run(["-c", SETUP_DJANGO], production_env(tmp_path, **{replaced: "1"}))
    assert result.returncode != 0
    assert f"{replaced} is replaced by TRUSTED_PROXY_COUNT" in result.stderr
