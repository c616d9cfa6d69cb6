"""Matching local staff and services to Cal.com hosts and event types (pure planning)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.calendars.calcom.linking import (
    LocalPerson,
    LocalService,
    Plan,
    RemoteEventType,
    RemotePerson,
    pair_by_score,
    person_score,
    plan_links,
    service_key,
    service_score,
    split_name,
)

DEMO_SERVICES = [
    ("Damenhaarschnitt", ("Haarschnitt Damen",)),
    ("Herrenhaarschnitt", ("Herrenschnitt",)),
    ("Färben", ("Haare färben",)),
    ("Bartpflege", ("Bart trimmen",)),
    ("Beratung", ("Typberatung",)),
    ("Waschen & Föhnen", ()),
]


def services(*names: tuple[str, tuple[str, ...]]) -> list[LocalService]:
    return [LocalService(uuid.uuid4(), name, aliases) for name, aliases in names]


def event_type(event_type_id: int, title: str, *hosts: int, minutes: int = 30) -> RemoteEventType:
    slug = service_key(title).replace(" ", "-")
    return RemoteEventType(event_type_id, title, slug, minutes, hosts)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Waschen & Föhnen", "Waschen und Föhnen"),
        ("Waschen & Föhnen", "waschen + foehnen"),
        ("Waschen & Föhnen", "WASCHEN  UND  FÖHNEN!"),
        ("Färben", "Faerben"),
        ("Fußpflege", "Fusspflege"),
        ("Schnitt, Waschen", "schnitt waschen"),
        ("Cut and Blow-dry", "cut & blow dry"),
    ],
)
def test_spellings_of_one_service_have_one_key(a: str, b: str) -> None:
    assert service_key(a) == service_key(b)
    assert service_score(a, b) == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Damenhaarschnitt", "Herrenhaarschnitt"),
        ("Färben", "Färben lang"),
        ("Beratung", "Typberatung"),
        ("Beratung", "Bartpflege"),
    ],
)
def test_different_services_stay_below_the_link_threshold(a: str, b: str) -> None:
    assert service_score(a, b) < 0.9


def test_near_spellings_link() -> None:
    assert service_score("Waschen & Föhnen", "Waschen und Fohnen") >= 0.9
    assert service_score("Herrenhaarschnitt", "Herren-Haarschnitt") == 1.0


def test_person_scores_need_the_whole_name() -> None:
    assert person_score("Jonas Weber", "Jonas Webber") >= 0.9
    assert person_score("Mia Schulz", "Mia Schultz") >= 0.9
    assert person_score("Anna Becker", "Anna") < 0.9
    assert person_score("Anna Becker", "Anna Schmidt") < 0.9


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Lena Vogel", ("Lena", "Vogel")),
        ("Lena Maria Vogel", ("Lena Maria", "Vogel")),
        ("Lena", ("Lena", "")),
        ("  Lena   Vogel ", ("Lena", "Vogel")),
    ],
)
def test_split_name(name: str, parts: tuple[str, str]) -> None:
    assert split_name(name) == parts


def test_the_demo_catalogue_links_by_name_and_creates_the_extra_event_type() -> None:
    local = services(*DEMO_SERVICES)
    remote = [
        event_type(501, "Damenhaarschnitt"),
        event_type(506, "Waschen und Föhnen"),
        event_type(502, "Herrenhaarschnitt"),
        event_type(507, "Balayage", minutes=180),
    ]
    plan = plan_links([], local, [], remote)
    by_name = {s.id: s.name for s in local}
    linked = {by_name[link.local]: link.remote for link in plan.service_links}
    assert linked == {"Damenhaarschnitt": 501, "Waschen & Föhnen": 506, "Herrenhaarschnitt": 502}
    assert [(n.name, n.minutes, n.event_type_id) for n in plan.new_services] == [
        ("Balayage", 180, 507)
    ]
    unmatched = {u.name for u in plan.unmatched if u.side == "service"}
    assert unmatched == {"Färben", "Bartpflege", "Beratung"}


def test_an_event_type_close_to_a_service_is_neither_linked_nor_created() -> None:
    (local,) = services(("Färben", ()))
    plan = plan_links([], [local], [], [event_type(9, "Färben lang")])
    assert plan.service_links == ()
    assert plan.new_services == ()
    (item,) = [u for u in plan.unmatched if u.side == "event type"]
    assert "close to Färben" in item.why


def test_two_equally_good_services_link_none() -> None:
    local = services(("Waschen & Föhnen", ()), ("Waschen und Föhnen", ()))
    plan = plan_links([], local, [], [event_type(9, "Waschen + Föhnen")])
    assert plan.service_links == ()
    assert plan.new_services == ()


def test_two_event_types_with_the_services_name_link_neither() -> None:
    (local,) = services(("Beratung", ()))
    plan = plan_links([], [local], [], [event_type(1, "Beratung"), event_type(2, "Beratung")])
    assert plan.service_links == ()
    assert plan.new_services == ()
    sides = sorted(u.side for u in plan.unmatched)
    assert sides == ["event type", "event type", "service"]


def test_new_event_types_with_one_name_create_one_service() -> None:
    plan = plan_links([], [], [], [event_type(1, "Balayage"), event_type(2, "balayage")])
    assert [n.event_type_id for n in plan.new_services] == [1]
    assert [u.name for u in plan.unmatched] == ["balayage"]


def test_staff_link_by_email_before_name() -> None:
    anna = LocalPerson(uuid.uuid4(), "Anna Becker", "ANNA@salon.example")
    other = LocalPerson(uuid.uuid4(), "Anna Bäcker")
    hosts = [RemotePerson(11, "Anna Bäcker", "anna@salon.example")]
    plan = plan_links([other, anna], [], hosts, [])
    assert [(link.local, link.remote, link.how) for link in plan.staff_links] == [
        (anna.id, 11, "e-mail")
    ]


def test_a_host_known_by_first_name_only_is_reported_not_created() -> None:
    anna = LocalPerson(uuid.uuid4(), "Anna Becker")
    plan = plan_links([anna], [], [RemotePerson(11, "Anna")], [])
    assert plan.staff_links == ()
    assert plan.new_staff == ()
    (host,) = [u for u in plan.unmatched if u.side == "host"]
    assert "close to Anna Becker" in host.why


def test_hosts_nobody_resembles_are_created_with_their_email() -> None:
    plan = plan_links(
        [LocalPerson(uuid.uuid4(), "Anna Becker")],
        [],
        [RemotePerson(14, "Lena Maria Vogel", "lena@salon.example")],
        [],
    )
    (new,) = plan.new_staff
    assert (new.first_name, new.last_name, new.email, new.user_id) == (
        "Lena Maria",
        "Vogel",
        "lena@salon.example",
        14,
    )


def test_rows_linked_earlier_keep_their_link_whatever_their_name() -> None:
    renamed = LocalService(uuid.uuid4(), "Typberatung", (), 505)
    person = LocalPerson(uuid.uuid4(), "Johnny", None, 12)
    plan = plan_links(
        [person],
        [renamed],
        [RemotePerson(12, "Jonas Weber")],
        [event_type(505, "Beratung", 12)],
    )
    assert [(link.local, link.how) for link in plan.service_links] == [(renamed.id, "Cal.com id")]
    assert [(link.local, link.how) for link in plan.staff_links] == [(person.id, "Cal.com id")]
    assert plan.hosts == {505: (12,)}


def test_a_service_whose_event_type_is_gone_links_again_by_name() -> None:
    orphan = LocalService(uuid.uuid4(), "Beratung", (), 404)
    plan = plan_links([], [orphan], [], [event_type(505, "Beratung")])
    assert [(link.local, link.remote) for link in plan.service_links] == [(orphan.id, 505)]
    alone = plan_links([], [orphan], [], [event_type(506, "Balayage")])
    (item,) = [u for u in alone.unmatched if u.side == "service"]
    assert item.why == "linked to event type 404, which the team no longer has"


def test_pairing_prefers_the_best_pair_and_skips_rivals() -> None:
    scores = {("a", "x"): 0.95, ("a", "y"): 0.7, ("b", "y"): 0.92}
    links = pair_by_score(["a", "b"], ["x", "y"], lambda a, b: scores.get((a, b), 0.0), 0.9)
    assert links == {"x": ("a", 0.95), "y": ("b", 0.92)}
    rivals = {("a", "x"): 0.95, ("b", "x"): 0.94}
    assert pair_by_score(["a", "b"], ["x"], lambda a, b: rivals.get((a, b), 0.0), 0.9) == {}


# -- properties -------------------------------------------------------------------------------

WORDS = ["Schnitt", "Färben", "Waschen", "Föhnen", "Bart", "Pflege", "Beratung", "Damen", "Herren"]
names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
connectors = st.sampled_from([" & ", " und ", " + ", "  ", " and "])


def accounted(plan: Plan, remote_ids: set[int]) -> None:
    linked = [link.remote for link in plan.service_links]
    created = [n.event_type_id for n in plan.new_services]
    assert len(linked) == len(set(linked)), "an event type linked twice"
    locals_ = [link.local for link in plan.service_links]
    assert len(locals_) == len(set(locals_)), "a service linked twice"
    assert not set(linked) & set(created)
    assert set(linked) | set(created) <= remote_ids


@settings(max_examples=150, deadline=None)
@given(
    local=st.lists(names, max_size=6, unique_by=service_key),
    remote=st.lists(names, max_size=6),
)
def test_links_are_one_to_one_and_creations_never_collide(
    local: list[str], remote: list[str]
) -> None:
    ours = [LocalService(uuid.uuid4(), name) for name in local]
    theirs = [event_type(100 + i, name) for i, name in enumerate(remote)]
    plan = plan_links([], ours, [], theirs)
    accounted(plan, {et.id for et in theirs})
    # Every event type is linked, created or reported: none is silently dropped.
    reported = len([u for u in plan.unmatched if u.side == "event type"])
    assert len(plan.service_links) + len(plan.new_services) + reported == len(theirs)
    # A created service's name is never a name the branch already has.
    keys = {service_key(name) for name in local}
    assert not {service_key(n.name) for n in plan.new_services} & keys


@settings(max_examples=100, deadline=None)
@given(local=st.lists(names, min_size=1, max_size=6, unique_by=service_key), data=st.data())
def test_connecting_again_links_by_id_and_creates_nothing(
    local: list[str], data: st.DataObject
) -> None:
    ours = [LocalService(uuid.uuid4(), name) for name in local]
    theirs = [
        event_type(100 + i, name) for i, name in enumerate(data.draw(st.lists(names, max_size=6)))
    ]
    first = plan_links([], ours, [], theirs)
    ids = {link.local: link.remote for link in first.service_links}
    after = [replace(s, calcom_event_type_id=ids.get(s.id)) for s in ours] + [
        LocalService(uuid.uuid4(), n.name, (), n.event_type_id) for n in first.new_services
    ]
    second = plan_links([], after, [], theirs)
    assert second.new_services == ()
    assert {link.how for link in second.service_links} <= {"Cal.com id"}
    assert len(second.service_links) == len(first.service_links) + len(first.new_services)


@settings(max_examples=100, deadline=None)
@given(left=st.lists(names, min_size=2, max_size=2), joiner=connectors)
def test_connectors_case_and_umlauts_never_change_the_key(left: list[str], joiner: str) -> None:
    a, b = left
    plain = f"{a} {b}"
    spelled = f"{a.upper()}{joiner}{b}".replace("ö", "oe").replace("ä", "ae")
    assert service_key(spelled) == service_key(plain)
