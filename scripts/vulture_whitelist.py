"""Names vulture cannot see used: called by Qt, SQLAlchemy or openpyxl by name, looked up from
strings (the window's declared actions, the help dialogs), or read by the tests only.

Each line names the attribute as vulture reports it; ``_`` stands for any object.
"""
# ruff: noqa: B018, F821
_ = object()

# Qt calls these overrides and reads these attributes by name.
_.tickValues, _.tickStrings, _.shape, _.contextMenuEvent, _.focusNextPrevChild, _.currentWidget
_.hoverEnterEvent, _.hoverLeaveEvent
_.dragEnterEvent, _.dragMoveEvent, _.dragLeaveEvent, _.dropEvent
_.exposedRect
# SQLAlchemy: custom constructs and an event listener.
_.inherit_cache, _._session_settings, _._begin, _.table_name
# openpyxl: workbook, sheet, chart and cell properties set for the file, never read back.
_.creator, _.freeze_panes, _.orientation, _.fitToWidth, _.fitToHeight, _.fitToPage
_.print_title_rows, _.print_title_cols, _.gridLines, _.majorUnit, _.tickLblPos
_.display_blanks, _.cat, _.smooth, _.symbol, _.number_format, _.alignment, _.tableStyleInfo
_.data_type
# python-pptx: deck, shape, text frame and chart properties set for the file, never read back.
_.slide_width, _.slide_height, _.last_modified_by, _.subject, _.comments, _.revision
_.auto_shape_type, _.crop_left, _.crop_right, _.crop_top, _.crop_bottom, _.word_wrap
_.auto_size, _.vertical_anchor, _.line_spacing, _.margin_left, _.margin_right, _.margin_top
_.margin_bottom, _.has_legend, _.has_title, _.has_major_gridlines, _.has_data_labels
_.minimum_scale, _.maximum_scale, _.major_unit, _.tick_label_position, _.gap_width
_.number_format_is_linked
# The window's commands, named in gui/actions.py and resolved when triggered.
_.toggle_overlay, _.show_user_guide, _.show_shortcuts, _.show_about, _.toggle_minimap
_.toggle_theme, _.toggle_presentation, _.new_map, _.new_map_from_template, _.duplicate_map
_.quit_asking
_.rename_map, _.delete_map, _.compare_personas, _.new_workspace, _.import_map, _.print_map
_.add_card, _.paste, _.select_all, _.start_find, _.zoom_in, _.zoom_out
_.toggle_private, _.reveal_notes, _.toggle_timer, _.export_session, _.show_qr
_.toggle_highlight
# The workshop's open dialogs and a dialog's setter, driven by the tests.
_.start_dialog, _.vote_dialog, _.votes_dialog, _.set_lane_checked
# The help dialogs, looked up by name (MainWindow._show_help).
_.user_guide, _.about
# The window's parts under the names the tests and scripts use.
_.data_overlay, _.overlay_bar, _.act_history, _._help_dialog
_.evidence_rows, _.review_rows
# Public data of results, read by callers outside the package (tests, scripts).
_.source_columns, _.migrated_from, _.pragma, _.spec_of, _.overlay_from_metrics
# Look-ups by name that tests drive widgets and maps with.
_.lane_named, _.swatch_named, _.focus_stage, _.curve_path
# Qt calls it when a step is pushed onto a stack with an undo step of the same id.
_.mergeWith
# A Protocol's parameter (the shape of SQLAlchemy's URL that domain.source_urls reads).
_.hide_password
# Workshop sessions: uvicorn reads its server's stop flags; the benchmark and the tests read
# how long accepting took and count the stored notes.
_.should_exit, _.force_exit, _.accept_seconds, _.count_notes
# Card pictures: how often the canvas decoded one (the tests check painting does not).
_.decode_count
# The opportunity portfolio: the inspector's rows and where the matrix draws a card or a cell,
# which the tests drive the widgets with.
_.opportunity_rows, _.place_of, _.cell_centre
# Map versions: the window's commands (gui/actions.py) and the open dialogs the tests drive.
_.import_over_map, _.show_versions, _.save_dialog, _.compare_dialog
