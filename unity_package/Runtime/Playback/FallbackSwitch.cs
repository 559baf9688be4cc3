using System;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>
    /// Decides when riffs come from <see cref="BakedRiffs"/> instead of the sidecar, free of Unity (tests drive
    /// it with a fake clock). Fallback starts when the sidecar cannot be launched, when its version does not
    /// match, when a request times out, or when no sidecar has been ready for longer than a grace period
    /// (<see cref="StartupGraceSeconds"/> after start, <see cref="LostGraceSeconds"/> after losing a running one,
    /// which covers the supervisor's restart). It ends as soon as a sidecar is ready again.
    /// The first switch to fallback produces one announcement (<see cref="TakeAnnouncement"/>), never more.
    /// </summary>
    public sealed class FallbackSwitch
    {
        bool _active;
        bool _announced;
        string _pendingAnnouncement;
        string _reason;
        bool _ready;
        bool _everReady;
        double _notReadySince;

        /// <param name="now">Clock time the sidecar was started (the startup grace counts from here).</param>
        public FallbackSwitch(double now)
        {
            _notReadySince = now;
        }

        /// <summary>Seconds a starting sidecar may take to become ready before fallback riffs play.</summary>
        public double StartupGraceSeconds = 12.0;

        /// <summary>Seconds a lost sidecar may take to come back (restart) before fallback riffs play.</summary>
        public double LostGraceSeconds = 3.0;

        /// <summary>True while riffs come from the baked fallback.</summary>
        public bool Active { get { return _active; } }

        /// <summary>Why fallback is active (the last problem), or null.</summary>
        public string Reason { get { return _active ? _reason : null; } }

        /// <summary>True once a sidecar was ready at least once (so not ready now means lost, not starting).</summary>
        public bool EverReady { get { return _everReady; } }

        /// <summary>True after the first announcement was taken.</summary>
        public bool Announced { get { return _announced; } }

        /// <summary>The sidecar finished the handshake: generated riffs again.</summary>
        public void SidecarReady()
        {
            _ready = true;
            _everReady = true;
            _active = false;
        }

        /// <summary>The sidecar is gone or restarting (state Connecting); the grace period starts now.</summary>
        public void SidecarNotReady(double now)
        {
            if (_ready) _notReadySince = now;
            _ready = false;
        }

        /// <summary>
        /// An error from the client or supervisor. Launch failures, version mismatches, given-up restarts and
        /// request timeouts switch to fallback at once; request errors (bad_request, unknown_style, ...) do not:
        /// they are the caller's to fix. Returns true when this switched fallback on.
        /// </summary>
        public bool Error(SidecarError error, double now)
        {
            if (error == null) throw new ArgumentNullException("error");
            switch (error.Code)
            {
                case SidecarErrorCode.LaunchFailed:
                case SidecarErrorCode.VersionMismatch:
                case SidecarErrorCode.HandshakeTimeout:
                case SidecarErrorCode.BadPayload:
                    if (error.RequestId != 0 && error.Code == SidecarErrorCode.BadPayload) return false;
                    _ready = false;
                    return Activate(error.Message);
                case SidecarErrorCode.Timeout:
                    return Activate(error.Message);
                case SidecarErrorCode.SidecarLost:
                    SidecarNotReady(now);
                    return false;
                default:
                    return false;
            }
        }

        /// <summary>The sidecar could not even be located (missing folder, no build for this machine, mode Off).</summary>
        public bool Unavailable(string reason)
        {
            _ready = false;
            return Activate(reason);
        }

        /// <summary>
        /// This build target cannot run the sidecar at all (<see cref="SidecarPlatform"/>): fallback for good,
        /// announced with <paramref name="announcement"/> exactly as given. Returns true when this switched fallback on.
        /// </summary>
        public bool Unsupported(string announcement)
        {
            if (string.IsNullOrEmpty(announcement)) throw new ArgumentException("the announcement is empty", "announcement");
            _ready = false;
            if (!_announced) { _announced = true; _pendingAnnouncement = announcement; }
            return Activate(announcement);
        }

        /// <summary>Call every frame: turns fallback on when the sidecar stayed not ready past its grace period.</summary>
        public bool Tick(double now)
        {
            if (_active || _ready) return false;
            var grace = _everReady ? LostGraceSeconds : StartupGraceSeconds;
            if (now - _notReadySince < grace) return false;
            return Activate(_everReady
                ? "the sidecar stopped answering and did not come back within " + grace + " s"
                : "the sidecar did not become ready within " + grace + " s of starting");
        }

        /// <summary>
        /// The one message to show when fallback started for the first time (then null forever): it names the
        /// reason and where to look.
        /// </summary>
        public string TakeAnnouncement()
        {
            var a = _pendingAnnouncement;
            _pendingAnnouncement = null;
            return a;
        }

        bool Activate(string reason)
        {
            _reason = reason;
            if (_active) return false;
            _active = true;
            if (!_announced)
            {
                _announced = true;
                _pendingAnnouncement = "RiffForge: playing built-in fallback riffs because the sidecar is not available: " + reason
                    + " (RiffForge says this once; generated riffs resume by themselves when a sidecar is ready. "
                    + "See Window > RiffForge > Monitor and Documentation~/troubleshooting.md.)";
            }
            return true;
        }
    }
}
