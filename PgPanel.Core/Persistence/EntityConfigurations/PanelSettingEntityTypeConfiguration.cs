using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>Settings: the values saved in the panel, by key.</summary>
internal sealed class PanelSettingEntityTypeConfiguration : IEntityTypeConfiguration<PanelSetting>
{
    public void Configure(EntityTypeBuilder<PanelSetting> setting)
    {
        setting.HasKey(s => s.Key);
        setting.Property(s => s.Key).HasMaxLength(64);
        setting.Property(s => s.Value).HasMaxLength(600);
        setting.Property(s => s.UpdatedBy).HasMaxLength(128);
        setting.Property(s => s.UpdatedAt).HasConversion(UtcTicks.Converter);
    }
}
