import matplotlib.pyplot as plt

import custlab as cl


def test_upset_bars_and_dots_match_the_overlap_table(world):
    roles = cl.customer_roles(world.orders, window=(world.start, world.end), events=world.events,
                              consumer_col="consumer_id")
    table = cl.role_overlap(roles)
    ax_bars, ax_dots = cl.plot_role_overlap(roles, max_combinations=5)
    heights = [p.get_height() for p in ax_bars.patches]
    assert heights == table["people"].head(5).tolist()
    assert [t.get_text() for t in ax_dots.get_yticklabels()] == ["consumer", "client", "buyer", "contact"]
    # One dot per role and combination.
    assert sum(len(c.get_offsets()) for c in ax_dots.collections) == 5 * 4


def test_plot_functions_draw_on_given_axes(cdnow_sample):
    roles = cl.customer_roles(cdnow_sample, window=("1997-01-01", "1998-06-30"))
    fig, ax = plt.subplots()
    assert cl.plot_role_counts(roles, ax=ax) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["client", "buyer"]
    fig, axs = plt.subplots(2, 1)
    assert cl.plot_role_overlap(roles, axs=axs) == tuple(axs)
