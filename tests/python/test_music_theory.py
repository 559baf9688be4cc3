"""Metal theory: tunings and ranges, modes, power chords, GM drum kit, Magenta's 9 drum classes."""
import pytest

from riffforge.music import theory as T
from riffforge.music.riff import RiffError


def test_tunings_and_playable_ranges():
    expected = {"E standard": 40, "drop D": 38, "D standard": 38, "drop C": 36, "C standard": 36, "drop B": 35,
                "B standard": 35, "7-string": 35, "8-string": 30}
    assert {n: t.lowest for n, t in T.TUNINGS.items()} == expected
    e = T.get_tuning("E standard")
    assert e.highest == 64 + 24 and e.in_range(40) and not e.in_range(39) and not e.in_range(89)
    assert len(T.get_tuning("7-string").strings) == 7 and len(T.get_tuning("8-string").strings) == 8
    assert T.get_tuning("drop D").strings[1:] == e.strings[1:]
    for t in T.TUNINGS.values():
        assert list(t.strings) == sorted(t.strings) and t.bass_lowest <= t.lowest
    with pytest.raises(RiffError, match="tuning"):
        T.get_tuning("open G")


def test_modes():
    assert set(T.MODES) == {"aeolian", "phrygian", "locrian", "harmonic minor", "phrygian dominant",
                            "hungarian minor", "diminished", "blues"}
    assert T.scale_pitch_classes("E", "phrygian") == {4, 5, 7, 9, 11, 0, 2}
    assert T.MODES["phrygian dominant"] == (0, 1, 4, 5, 7, 8, 10)
    assert T.MODES["hungarian minor"] == (0, 2, 3, 6, 7, 8, 11)
    assert 6 in T.MODES["locrian"] and 7 not in T.MODES["locrian"]
    assert 0 not in T.power_chord_degrees("locrian")  # tonic fifth is outside locrian
    assert T.power_chord_degrees("phrygian") == (0, 1, 3, 5, 8, 10)
    with pytest.raises(RiffError, match="mode"):
        T.get_mode("ionian-ish")


def test_power_chords_and_inversions():
    assert T.power_chord(40) == (40, 47, 52)
    assert T.power_chord(40, octave=False) == (40, 47)
    assert T.power_chord(45, inversion=True) == (40, 45, 52)
    for shape in (T.power_chord(41), T.power_chord(41, False), T.power_chord(41, True, True),
                  T.power_chord(41, False, True)):
        assert T.power_chord_root(shape) == 41
        assert T.chord_root(shape) == 41
    assert T.power_chord_root([40]) is None and T.power_chord_root([40, 44, 47]) is None
    assert T.chord_root([43, 40]) == 40


def test_drum_kit_keeps_china_splash_and_bell_distinct():
    assert (T.GM.CHINA, T.GM.SPLASH, T.GM.RIDE_BELL) == (52, 55, 53)
    assert len({T.GM.CHINA, T.GM.SPLASH, T.GM.RIDE_BELL, T.GM.CRASH, T.GM.CRASH_2, T.GM.RIDE}) == 6
    assert {52, 53, 55} <= T.CYMBALS and T.KICKS == {35, 36}
    # Magenta's 9 classes (re-exported from riffforge.encoding.drums): China/splash -> crash, bell -> ride
    assert len(T.DRUM_TYPE_PITCHES) == 9
    crash, ride = T.DRUM_CLASS_NAMES.index("crash"), T.DRUM_CLASS_NAMES.index("ride")
    assert T.PITCH_TO_DRUM_CLASS[52] == T.PITCH_TO_DRUM_CLASS[55] == T.PITCH_TO_DRUM_CLASS[49] == crash
    assert T.PITCH_TO_DRUM_CLASS[53] == T.PITCH_TO_DRUM_CLASS[51] == ride
    assert T.PITCH_TO_DRUM_CLASS[36] == 0 and T.PITCH_TO_DRUM_CLASS[38] == 1
    from riffforge.encoding import drums
    assert T.DRUM_TYPE_PITCHES is drums.DRUM_TYPE_PITCHES
