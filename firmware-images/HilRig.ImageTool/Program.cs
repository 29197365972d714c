using HilRig.Protocol.Images;
using HilRig.Protocol.Messages;

// hilrig-image: builds the sample images, or one image from a body file, or describes an image.
// Usage:
//   HilRig.ImageTool samples <dir>                       all sample images (deterministic)
//   HilRig.ImageTool build <model-id> <version> <body> <out>   wrap a raw body in an image header
//   HilRig.ImageTool info <image>                        print header fields and check the digest
if (args.Length == 0)
{
    return Usage("no command given");
}
try
{
    switch (args[0])
    {
        case "samples" when args.Length == 2:
            Directory.CreateDirectory(args[1]);
            foreach (var (model, version, bodySize) in SampleImages.All())
            {
                var image = SampleImages.Build(model, version, bodySize);
                var path = Path.Combine(args[1], SampleImages.FileName(model, version));
                File.WriteAllBytes(path, image.Encode());
                Console.WriteLine($"{path}: model 0x{model:X2} version {version} {image.Header.ImageSizeBytes} bytes sha256 {image.Header.DigestHex}");
            }
            return 0;
        case "build" when args.Length == 5:
            var modelId = Convert.ToByte(args[1], args[1].StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? 16 : 10);
            var built = FirmwareImage.Create(modelId, FirmwareVersion.Parse(args[2]), File.ReadAllBytes(args[3]));
            File.WriteAllBytes(args[4], built.Encode());
            Console.WriteLine($"{args[4]}: {built.Header.ImageSizeBytes} bytes sha256 {built.Header.DigestHex}");
            return 0;
        case "info" when args.Length == 2:
            var decoded = FirmwareImage.TryDecode(File.ReadAllBytes(args[1]), out var error);
            if (decoded is null)
            {
                Console.Error.WriteLine($"{args[1]}: {error}");
                return 1;
            }
            Console.WriteLine($"{args[1]}: model 0x{decoded.Header.ModelId:X2} version {decoded.Header.Version} body {decoded.Header.BodySizeBytes} bytes sha256 {decoded.Header.DigestHex} signed {decoded.Header.Signed}");
            return 0;
        default:
            return Usage($"unknown command or wrong arguments: {string.Join(' ', args)}");
    }
}
catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException or OverflowException)
{
    Console.Error.WriteLine($"HilRig.ImageTool: {ex.Message}");
    return 1;
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"HilRig.ImageTool: {problem}");
    Console.Error.WriteLine("usage: samples <dir> | build <model-id> <version> <body-file> <out> | info <image>");
    return 2;
}
