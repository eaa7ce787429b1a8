from spacecloud_client.api.auth import login_with_kakao_token
from spacecloud_client.api.me import get_me
from spacecloud_client.models import KakaoLogin, Me, TokenPair

from support import authenticated, ok, problem, register_kakao_token, sign_in


def test_sign_in_with_kakao_creates_the_user_once(anon):
    kakao_token = register_kakao_token("Sign-in tester")

    first = sign_in(kakao_token)
    assert first.created is True
    assert first.token_type == "Bearer"
    assert first.expires_in > 0
    assert first.access_token and first.refresh_token
    assert isinstance(first.user, Me)
    assert first.user.nickname == "Sign-in tester"
    assert first.user.email is None

    again = sign_in(kakao_token)
    assert again.created is False
    assert again.user.id == first.user.id

    with authenticated(again.access_token) as client:
        me = ok(get_me.sync_detailed(client=client), Me)
    assert me.id == first.user.id
    assert me.points > 0


def test_unknown_kakao_token_is_refused(anon):
    response = login_with_kakao_token.sync_detailed(client=anon, body=KakaoLogin(access_token="no-such-kakao-token"))
    problem(response, 401, "invalid_kakao_token")


def test_protected_route_without_a_token_is_unauthorized(anon):
    # The SDK types protected routes for AuthenticatedClient; an anonymous one still works at runtime.
    problem(get_me.sync_detailed(client=anon), 401, "unauthorized")


def test_sign_in_answers_a_token_pair_model(anon):
    response = login_with_kakao_token.sync_detailed(
        client=anon, body=KakaoLogin(access_token=register_kakao_token("Model tester"))
    )
    assert isinstance(ok(response, TokenPair), TokenPair)
