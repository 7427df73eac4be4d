from django.db import models


class Invoice(models.Model):
    number = models.CharField(max_length=32)
    token = models.CharField(max_length=64)
    agent = models.ForeignKey("Agent", on_delete=models.CASCADE)


class Agent(models.Model):
    name = models.CharField(max_length=100)
