namespace RiffForge.Core
{
    /// <summary>The package's identity, kept equal to unity_package/package.json (a test checks it).</summary>
    public static class PackageInfo
    {
        public const string Name = "com.riffforge.unity";
        public const string Version = "0.1.0";
    }
}
