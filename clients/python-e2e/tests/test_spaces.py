from spacecloud_client.api.catalog import list_categories, list_districts, list_facilities
from spacecloud_client.api.spaces import get_space, get_space_availability, list_spaces
from spacecloud_client.models import Availability, District, Label, Problem, Slot, SpaceDetail, SpacePage, SpaceSort
from spacecloud_client.types import Unset

from support import all_spaces, ok, problem


def test_catalogue(anon):
    districts = ok(list_districts.sync_detailed(client=anon), list)
    assert districts and all(isinstance(d, District) for d in districts)
    for listing in (list_categories, list_facilities):
        labels = ok(listing.sync_detailed(client=anon), list)
        assert labels and all(isinstance(label, Label) for label in labels)


def test_list_follows_pages_without_overlap(anon):
    items, total = all_spaces(anon, per_page=37, sort=SpaceSort.PRICE_ASC)
    assert total > 37, "the demo data should fill more than one page"
    assert len(items) == total
    ids = [item.id for item in items]
    assert len(set(ids)) == total
    prices = [item.min_price for item in items]
    assert prices == sorted(prices)

    # A page past the end is empty but still a page.
    last = ok(list_spaces.sync_detailed(client=anon, page=total // 37 + 2, per_page=37), SpacePage)
    assert last.items == [] and last.total == total


def test_list_filters(anon):
    everything, total = all_spaces(anon, per_page=100)
    sample = everything[0]

    in_district, n = all_spaces(anon, district_id=sample.district.id)
    assert 0 < n < total and len(in_district) == n
    assert all(item.district.id == sample.district.id for item in in_district)

    in_category, n = all_spaces(anon, category_id=sample.category.id)
    assert 0 < n < total
    assert all(item.category.id == sample.category.id for item in in_category)

    both, n = all_spaces(anon, district_id=sample.district.id, category_id=sample.category.id)
    assert sample.id in {item.id for item in both}
    assert all(item.district.id == sample.district.id and item.category.id == sample.category.id for item in both)

    headcount = sample.max_count
    fitting, n = all_spaces(anon, headcount=headcount)
    assert sample.id in {item.id for item in fitting}
    assert all(item.min_count <= headcount <= item.max_count for item in fitting)
    assert n == sum(1 for item in everything if item.min_count <= headcount <= item.max_count)


def test_list_by_date_and_slot_matches_the_calendar(anon):
    calendar = ok(get_space_availability.sync_detailed(everything_first_id(anon), client=anon), Availability)
    date = calendar.days[1].date  # tomorrow in the business time zone
    for slot in Slot:
        bookable, n = all_spaces(anon, per_page=100, date=date, slot=slot)
        assert n > 0
        for item in bookable[:5]:
            days = ok(get_space_availability.sync_detailed(item.id, client=anon, from_=date, to=date), Availability)
            assert [day.date for day in days.days] == [date]
            assert days.days[0].slots.to_dict()[slot.value] is True


def everything_first_id(anon) -> int:
    return ok(list_spaces.sync_detailed(client=anon, per_page=1), SpacePage).items[0].id


def test_invalid_list_parameters_are_a_validation_problem(anon):
    response = list_spaces.sync_detailed(client=anon, per_page=0, headcount=0)
    found = problem(response, 422, "validation_failed")
    assert {error.field for error in found.errors} >= {"per_page", "headcount"}


def test_space_detail(anon, guest):
    summary = ok(list_spaces.sync_detailed(client=anon, per_page=1), SpacePage).items[0]

    # GET /spaces/{id} takes an optional token; the SDK types it for AuthenticatedClient.
    anonymous = ok(get_space.sync_detailed(summary.id, client=anon), SpaceDetail)
    signed_in = ok(get_space.sync_detailed(summary.id, client=guest.client), SpaceDetail)
    for detail in (anonymous, signed_in):
        assert detail.id == summary.id
        assert detail.title == summary.title
        assert detail.min_price == summary.min_price
        assert detail.options, "a space offers at least one slot"
        assert min(option.price for option in detail.options) == detail.min_price
        assert detail.host.id > 0
    assert isinstance(anonymous.liked, Unset)
    assert signed_in.liked is False


def test_unknown_space_is_not_found(anon):
    response = get_space.sync_detailed(2_000_000_000, client=anon)
    assert isinstance(response.parsed, Problem)
    problem(response, 404, "not_found")
    problem(get_space_availability.sync_detailed(2_000_000_000, client=anon), 404, "not_found")
