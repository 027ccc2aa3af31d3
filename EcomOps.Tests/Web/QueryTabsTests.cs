using EcomOps.Web.Model;

namespace EcomOps.Tests.Web;

public sealed class QueryTabsTests
{
    [Fact]
    public void ToJsonThenFromJson_GivesBackTheTabsTheirSqlNamesAndTheActiveOne()
    {
        var tabs = new QueryTabs();
        tabs.Active.Sql = "SELECT 1";
        var second = tabs.Add("SELECT 2");
        tabs.Rename(second.Id, "  Second  ");
        tabs.Select(1);

        var restored = QueryTabs.FromJson(tabs.ToJson());

        Assert.Equal([("Query 1", "SELECT 1"), ("Second", "SELECT 2")], restored.All.Select(t => (t.Title, t.Sql)));
        Assert.Equal(1, restored.Active.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"tabs":[]}""")]
    [InlineData("[1,2,3]")]
    public void FromJson_NothingUsableSaved_GivesOneEmptyTab(string? json)
    {
        var tabs = QueryTabs.FromJson(json);

        var only = Assert.Single(tabs.All);
        Assert.Equal("", only.Sql);
        Assert.Same(only, tabs.Active);
    }

    [Fact]
    public void Open_SqlAlreadyInATab_SelectsThatTab_InsteadOfAddingACopy()
    {
        var tabs = new QueryTabs();
        tabs.Open("SELECT 1");
        tabs.Add("SELECT 2");

        tabs.Open("SELECT 1");

        Assert.Equal(2, tabs.All.Count);
        Assert.Equal("SELECT 1", tabs.Active.Sql);
    }

    [Fact]
    public void Open_OnlyAnUntouchedTab_FillsIt_AndOtherwiseAddsATab()
    {
        var tabs = new QueryTabs();

        tabs.Open("SELECT 1", "orders");
        Assert.Equal([("orders", "SELECT 1")], tabs.All.Select(t => (t.Title, t.Sql)));

        tabs.Open("SELECT 2");
        Assert.Equal(2, tabs.All.Count);
        Assert.Equal("SELECT 2", tabs.Active.Sql);
    }

    [Fact]
    public void Close_TheActiveTab_ActivatesItsNeighbour_AndClosingTheLastLeavesAFreshTab()
    {
        var tabs = new QueryTabs();
        var second = tabs.Add("SELECT 2");
        var third = tabs.Add("SELECT 3");
        tabs.Select(second.Id);

        tabs.Close(second.Id);
        Assert.Same(third, tabs.Active);

        tabs.Close(third.Id);
        tabs.Close(tabs.Active.Id);
        var fresh = Assert.Single(tabs.All);
        Assert.Equal("", fresh.Sql);
    }

    [Fact]
    public void Rename_ToBlank_KeepsTheName()
    {
        var tabs = new QueryTabs();

        tabs.Rename(tabs.Active.Id, "   ");

        Assert.Equal("Query 1", tabs.Active.Title);
    }
}
