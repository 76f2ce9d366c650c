from tests.driver import posts, replies


def test_action_add_posts_confirmation_in_channel(board):
    calls = board.command("/action", "add AF to circulate the report by 15/12/2026")
    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD"
    assert "SSCB-1" in post.text
    assert "Circulate the report" in post.text
    assert "15 Dec" in post.text


def test_mine_lists_actions(board):
    board.command("/action", "add AF to circulate the report by 15/12/2026")
    calls = board.command("/mine", "")
    [reply] = replies(calls)
    print(reply.text)
    assert "SSCB-1" in reply.text
