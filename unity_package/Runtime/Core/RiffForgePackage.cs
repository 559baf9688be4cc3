namespace RiffForge.Core
{
    /// <summary>
    /// The package's identity, kept equal to unity_package/package.json (a test checks it). Not named PackageInfo:
    /// that would clash with UnityEditor.PackageManager.PackageInfo in Editor code using both namespaces.
    /// </summary>
    public static class RiffForgePackage
    {
        public const string Name = "com.riffforge.unity";
        public const string Version = "0.1.0";
    }
}
